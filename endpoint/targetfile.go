package endpoint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/orgconform/orgconform/internal/text"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is a target file: where a live (or any) target is and which named
// profiles act as its principals. For example:
//
//	{
//	  "endpoint": "https://organizations.us-east-1.amazonaws.com",
//	  "region": "us-east-1",
//	  "principals": {
//	    "management": {"profile": "org-mgmt"},
//	    "member":     {"profile": "m1", "account_id": "111122223333"},
//	    "outsider":   {"profile": "standalone"}
//	  }
//	}
//
// A principal's account id is its "account_id" field or, failing that, the
// profile's aws_account_id setting; one of them is required.
type File struct {
	Comment    string                    `json:"$comment,omitempty"`
	Endpoint   string                    `json:"endpoint"`
	Region     string                    `json:"region,omitempty"`
	Principals map[string]FilePrincipals `json:"principals"`

	path string
}

// FilePrincipal is one principal of a target file.
type FilePrincipal struct {
	Profile   string `json:"profile"`              // named profile holding static credentials; required
	AccountID string `json:"account_id,omitempty"` // 12 digits; default the profile's aws_account_id
	Email     string `json:"email,omitempty"`      // the account's email address, if known
}

// FilePrincipals are the accounts of one role: a target file gives one
// object, or an array of them when scenarios need several accounts of the
// role (e.g. two management accounts).
type FilePrincipals []FilePrincipal

// UnmarshalJSON accepts one principal object or an array of them.
func (fp *FilePrincipals) UnmarshalJSON(b []byte) error {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []FilePrincipal
		if err := strictDecode(trimmed, &list); err != nil {
			return err
		}
		*fp = list
		return nil
	}
	var one FilePrincipal
	if err := strictDecode(trimmed, &one); err != nil {
		return err
	}
	*fp = FilePrincipals{one}
	return nil
}

// strictDecode decodes b into v, refusing unknown members.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// LoadFile reads and checks a target file. Errors are one line.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("target file: %s", text.OneLine(err.Error()))
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("target file %s: bad JSON: %s", path, text.OneLine(err.Error()))
	}
	if dec.More() {
		return nil, fmt.Errorf("target file %s: bad JSON: data after the object", path)
	}
	f.path = path
	if _, err := parseEndpoint(f.Endpoint); err != nil {
		return nil, fmt.Errorf("target file %s: %w", path, err)
	}
	if len(f.Principals) == 0 {
		return nil, fmt.Errorf("target file %s: no principals", path)
	}
	seen := map[string]string{}
	for _, role := range sortedKeys(f.Principals) {
		if len(f.Principals[role]) == 0 {
			return nil, fmt.Errorf("target file %s: principal %q: an empty list", path, role)
		}
		for i, fp := range f.Principals[role] {
			name := principalName(role, i, len(f.Principals[role]))
			if strings.TrimSpace(fp.Profile) == "" {
				return nil, fmt.Errorf("target file %s: principal %s: missing \"profile\"", path, name)
			}
			if fp.AccountID != "" && !ValidAccountID(fp.AccountID) {
				return nil, fmt.Errorf("target file %s: principal %s: account_id %q is not 12 digits", path, name, fp.AccountID)
			}
			if fp.AccountID != "" {
				if other, dup := seen[fp.AccountID]; dup {
					return nil, fmt.Errorf("target file %s: principals %s and %s name the same account %s", path, other, name, fp.AccountID)
				}
				seen[fp.AccountID] = name
			}
		}
	}
	return &f, nil
}

// Config returns the Config the file describes (Endpoint and Region).
func (f *File) Config() Config { return Config{Endpoint: f.Endpoint, Region: f.Region} }

// Resolve reads each principal's static credentials from its named profile
// in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
// ~/.aws/credentials) and then the shared config file (AWS_CONFIG_FILE,
// default ~/.aws/config). SSO, assume-role and credential_process profiles
// are not supported. Errors are one line.
func (f *File) Resolve() ([]Principal, error) {
	files, err := sharedFiles()
	if err != nil {
		return nil, err
	}
	var out []Principal
	seen := map[string]string{}
	for _, role := range sortedKeys(f.Principals) {
		for i, fp := range f.Principals[role] {
			name := principalName(role, i, len(f.Principals[role]))
			p, err := resolveProfile(files, name, fp)
			if err != nil {
				return nil, err
			}
			p.Role = role
			if other, dup := seen[p.AccountID]; dup {
				return nil, fmt.Errorf("principals %s and %s are the same account %s", other, name, p.AccountID)
			}
			seen[p.AccountID] = name
			out = append(out, p)
		}
	}
	return out, nil
}

// principalName names the i-th principal of role in messages: "management"
// when it is the only one, "management[1]" otherwise.
func principalName(role string, i, n int) string {
	if n == 1 {
		return fmt.Sprintf("%q", role)
	}
	return fmt.Sprintf("%q[%d]", role, i)
}

// resolveProfile builds the principal of role from its profile.
func resolveProfile(files []iniFile, role string, fp FilePrincipal) (Principal, error) {
	settings, found := profileSettings(files, fp.Profile)
	if !found {
		return Principal{}, fmt.Errorf("principal %s: profile %q not found in %s", role, fp.Profile, pathsOf(files))
	}
	p := Principal{
		Role:            role,
		Profile:         fp.Profile,
		AccessKeyID:     settings["aws_access_key_id"],
		SecretAccessKey: settings["aws_secret_access_key"],
		SessionToken:    settings["aws_session_token"],
		AccountID:       fp.AccountID,
		Email:           fp.Email,
	}
	if !p.credentialsSet() {
		return Principal{}, fmt.Errorf("principal %s: profile %q has no aws_access_key_id/aws_secret_access_key (SSO, role and process profiles are not supported; export static credentials into a profile)", role, fp.Profile)
	}
	if p.AccountID == "" {
		p.AccountID = settings["aws_account_id"]
	}
	if p.AccountID == "" {
		return Principal{}, fmt.Errorf("principal %s: no account id: set \"account_id\" in the target file or aws_account_id in profile %q", role, fp.Profile)
	}
	if !ValidAccountID(p.AccountID) {
		return Principal{}, fmt.Errorf("principal %s: account id %q is not 12 digits", role, p.AccountID)
	}
	return p, nil
}

// iniFile is one parsed shared file; config marks the config file, whose
// sections are named "profile NAME" (except "default").
type iniFile struct {
	path     string
	config   bool
	sections map[string]map[string]string
}

// sharedFiles reads the shared credentials and config files; a missing file
// is skipped.
func sharedFiles() ([]iniFile, error) {
	var out []iniFile
	for _, spec := range []struct {
		env, name string
		config    bool
	}{
		{"AWS_SHARED_CREDENTIALS_FILE", "credentials", false},
		{"AWS_CONFIG_FILE", "config", true},
	} {
		path := os.Getenv(spec.env)
		if path == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				continue
			}
			path = filepath.Join(home, ".aws", spec.name)
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			out = append(out, iniFile{path: path, config: spec.config})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("shared %s file: %s", spec.name, text.OneLine(err.Error()))
		}
		out = append(out, iniFile{path: path, config: spec.config, sections: parseINI(data)})
	}
	return out, nil
}

// profileSettings merges a profile's settings, the credentials file first.
func profileSettings(files []iniFile, profile string) (map[string]string, bool) {
	merged := map[string]string{}
	found := false
	for _, f := range files {
		name := profile
		if f.config && profile != "default" {
			name = "profile " + profile
		}
		sec, ok := f.sections[name]
		if !ok && f.config && profile == "default" {
			sec, ok = f.sections["profile default"]
		}
		if !ok {
			continue
		}
		found = true
		for k, v := range sec {
			if _, set := merged[k]; !set {
				merged[k] = v
			}
		}
	}
	return merged, found
}

// parseINI reads the AWS flavour of INI: [section], key = value, '#' and
// ';' comment lines. Section names have inner spaces collapsed; keys are
// lower-cased.
func parseINI(data []byte) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			name := strings.Join(strings.Fields(line[1:len(line)-1]), " ")
			if out[name] == nil {
				out[name] = map[string]string{}
			}
			cur = out[name]
		case cur != nil:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			cur[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

// pathsOf lists the files searched, for an error message.
func pathsOf(files []iniFile) string {
	paths := make([]string, 0, len(files))
	for _, f := range files {
		paths = append(paths, f.path)
	}
	return strings.Join(paths, " or ")
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
