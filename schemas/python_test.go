package schemas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/schemas"
)

// validateScript is the second JSON Schema implementation's driver.
const validateScript = "../scripts/validate_schemas.py"

// pythonProbe remembers whether python3 can import jsonschema (each start
// of the interpreter costs seconds on this machine).
var pythonProbe struct {
	once sync.Once
	path string
	what string // what is missing, "" when nothing is
	err  error
}

// requirePythonJSONSchema returns python3's path when it can import
// jsonschema; otherwise the test is skipped, or fails under CI=true (where
// the machine image provides both) with a message naming what is missing.
func requirePythonJSONSchema(t *testing.T) string {
	t.Helper()
	pythonProbe.once.Do(func() {
		py, err := exec.LookPath("python3")
		if err != nil {
			pythonProbe.what, pythonProbe.err = "python3", err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, py, "-c", "import jsonschema").CombinedOutput(); err != nil {
			pythonProbe.what = "the python3 module jsonschema (pip install jsonschema)"
			pythonProbe.err = fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
			return
		}
		pythonProbe.path = py
	})
	if pythonProbe.what != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI (CI=true) for the second JSON Schema implementation: %v", pythonProbe.what, pythonProbe.err)
		}
		t.Skipf("%s unavailable, skipping the second JSON Schema implementation (set CI=true to make this a failure): %v", pythonProbe.what, pythonProbe.err)
	}
	return pythonProbe.path
}

// pyCase is one instance for the Python validator, with the Go verdict.
type pyCase struct {
	Name     string          `json:"name"`
	Schema   string          `json:"schema"`
	Instance json.RawMessage `json:"instance"`
}

type pyResult struct {
	JSONSchema string `json:"jsonschema"`
	Schemas    []struct {
		File  string `json:"file"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"schemas"`
	Cases []struct {
		Name   string `json:"name"`
		Valid  bool   `json:"valid"`
		Errors []struct {
			Path, Rule, Message string
		} `json:"errors"`
	} `json:"cases"`
}

// runPython runs the script over the schemas folder and the cases.
func runPython(t *testing.T, py string, cases []pyCase) pyResult {
	t.Helper()
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	data, err := json.Marshal(map[string]any{"cases": cases})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(manifest, data, 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, validateScript, ".", manifest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var res pyResult
	require.NoError(t, json.Unmarshal(out, &res), "%s printed no report (%v): %s", validateScript, err, stderr.String())
	for _, s := range res.Schemas {
		assert.True(t, s.OK, "Python's jsonschema %s rejects %s: %s", res.JSONSchema, s.File, s.Error)
	}
	require.NoError(t, err, "%s: %s", validateScript, stderr.String())
	return res
}

// goldenCases are the body of every golden file, with the schema its place
// calls for.
func goldenCases(t *testing.T) []pyCase {
	t.Helper()
	paths, err := golden.List()
	require.NoError(t, err)
	errorNames, err := schemas.ErrorNames()
	require.NoError(t, err)
	var out []pyCase
	for _, p := range paths {
		m, err := golden.Read(p)
		require.NoError(t, err)
		op, rest, _ := strings.Cut(p, "/")
		var file string
		switch {
		case strings.HasSuffix(rest, ".request.http"):
			file = schemas.RequestFile(op)
		case strings.HasSuffix(rest, ".response.http"):
			file = schemas.ResponseFile(op)
		default:
			name := strings.TrimSuffix(filepath.Base(p), ".http")
			file = schemas.GenericFile
			if contains(errorNames, name) {
				file = schemas.ErrorFile(name)
			}
		}
		body := m.Body
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}") // as schemas.ValidateResponse reads it
		}
		out = append(out, pyCase{Name: p, Schema: file, Instance: body})
	}
	return out
}

// reportSample is a runner report as report.schema.json describes it.
const reportSample = `{"target":"http://127.0.0.1:4566","seed":42,"duration_seconds":0.43,"requests":2841,"interrupted":false,"peak_rss_bytes":0,
 "summary":{"ran":440,"passed":303,"failed":1,"skipped":136,"unsupported":0,"not_run":0},
 "groups":[{"group":"accept","checks":10,"requests":71,"passed":10,"failed":0,"skipped":0,"unsupported":0,"not_run":0}],
 "capabilities":[{"operation":"AcceptHandshake","status":"implemented","evidence":"400 HandshakeNotFoundException"}],
 "flags":[{"name":"clock-control","on":true,"evidence":"GET /_orgconform/clock answers"}],
 "checks":[{"id":"accept/success/response","group":"accept","operation":"AcceptHandshake","status":"pass","expected":"","observed":"","exchange":"","requests":7,"rerun":"runner --endpoint http://127.0.0.1:4566 --run '^accept/success/response$'"},
           {"id":"golden/AcceptHandshake/sample-response","group":"golden","operation":"AcceptHandshake","status":"fail","expected":"the sample","observed":"State OPEN","source":"reference: the sample","exchange":"#1 AcceptHandshake\nPOST / HTTP/1.1\n...","notes":["an extra member"],"requests":9,"rerun":"runner --run x"}],
 "cleanup_failures":["LeaveOrganization 222222222222: timeout"]}`

// differentialCases are bodies both implementations must judge alike:
// report samples, and bodies that probe the portable patterns and the
// other keywords (each invalid one breaks one rule).
func differentialCases(t *testing.T) []pyCase {
	t.Helper()
	report := func(name string, edit func(r map[string]any)) pyCase {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(reportSample), &r))
		if edit != nil {
			edit(r)
		}
		data, err := json.Marshal(r)
		require.NoError(t, err)
		return pyCase{Name: "report: " + name, Schema: schemas.ReportFile, Instance: data}
	}
	check0 := func(r map[string]any) map[string]any { return r["checks"].([]any)[0].(map[string]any) }
	body := func(name, file, instance string) pyCase {
		return pyCase{Name: name, Schema: file, Instance: json.RawMessage(instance)}
	}
	invite := schemas.RequestFile("InviteAccountToOrganization")
	tags := func(key, value string) string {
		k, _ := json.Marshal(key)
		v, _ := json.Marshal(value)
		return `{"Target":{"Id":"123456789012","Type":"ACCOUNT"},"Tags":[{"Key":` + string(k) + `,"Value":` + string(v) + `}]}`
	}
	org := func(email string) string {
		e, _ := json.Marshal(email)
		return `{"Organization":{"Id":"o-abcdefghij","Arn":"arn:aws:organizations::123456789012:organization/o-abcdefghij","FeatureSet":"ALL","MasterAccountArn":"arn:aws:organizations::123456789012:account/o-abcdefghij/123456789012","MasterAccountId":"123456789012","MasterAccountEmail":` + string(e) + `}}`
	}
	return []pyCase{
		report("valid", nil),
		report("no seed", func(r map[string]any) { delete(r, "seed") }),
		report("extra member", func(r map[string]any) { r["extra"] = true }),
		report("fractional seed", func(r map[string]any) { r["seed"] = 1.5 }),
		report("unknown status", func(r map[string]any) { check0(r)["status"] = "ok" }),
		report("check without rerun", func(r map[string]any) { delete(check0(r), "rerun") }),
		report("negative count", func(r map[string]any) { r["summary"].(map[string]any)["failed"] = -1 }),
		report("numeric cleanup failure", func(r map[string]any) { r["cleanup_failures"] = []any{1} }),

		body("AccountId of Arabic-Indic digits", schemas.RequestFile("RemoveAccountFromOrganization"), `{"AccountId":"١٢٣٤٥٦٧٨٩٠١٢"}`),
		body("AccountId of 11 digits", schemas.RequestFile("RemoveAccountFromOrganization"), `{"AccountId":"12345678901"}`),
		body("tag of letters, digits, space and signs", invite, tags("Team name_1.x:/=+-@", "")),
		body("tag of non-ASCII letters", invite, tags("équipe", "日本")),
		body("tag with a non-ASCII symbol (widened)", invite, tags("k€", "v")),
		body("tag with an exclamation mark", invite, tags("k!", "v")),
		body("tag value with a line break", invite, tags("k", "a\nb")),
		body("email", schemas.ResponseFile("DescribeOrganization"), org("bill@example.com")),
		body("email with a space", schemas.ResponseFile("DescribeOrganization"), org("bill@exa mple.com")),
		body("email with a vertical tab", schemas.ResponseFile("DescribeOrganization"), org("bill@exa\u000bmple.com")),
		body("email without a dot", schemas.ResponseFile("DescribeOrganization"), org("bill@example")),
		body("filter with both members", schemas.RequestFile("ListHandshakesForAccount"), `{"Filter":{"ActionType":"INVITE","ParentHandshakeId":"h-12345678"}}`),
		body("MaxResults too large", schemas.RequestFile("ListAccounts"), `{"MaxResults":21}`),
		body("MaxResults fractional", schemas.RequestFile("ListAccounts"), `{"MaxResults":1.5}`),
		body("unknown feature set", schemas.RequestFile("CreateOrganization"), `{"FeatureSet":"FULL"}`),
		body("__type with namespace and suffix", schemas.ErrorFile("HandshakeNotFoundException"), `{"__type":"com.amazonaws.organizations#HandshakeNotFoundException:http://internal.amazon.com/coral/"}`),
		body("__type of another exception", schemas.ErrorFile("HandshakeNotFoundException"), `{"__type":"HandshakeNotFoundExceptionX"}`),
		body("generic error without __type", schemas.GenericFile, `{"message":"x"}`),
		body("reason of another exception", schemas.ErrorFile("InvalidInputException"), `{"__type":"InvalidInputException","Reason":"ALREADY_IN_AN_ORGANIZATION"}`),
		body("handshake with string timestamp and unknown state", schemas.ResponseFile("DescribeHandshake"),
			`{"Handshake":{"Id":"h-12345678","Arn":"arn:aws:organizations::111111111111:handshake/o-exampleorgid/invite/h-12345678","State":"PENDING","Action":"INVITE","Parties":[{"Id":"x","Type":"EMAIL"}],"Resources":[{"Type":"NOTES"}],"RequestedTimestamp":"2016-11-30T17:24:58Z","ExpirationTimestamp":2}}`),
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// goVerdict returns the Go implementation's causes as sorted "path rule".
func goVerdict(t *testing.T, c pyCase) []string {
	t.Helper()
	err := schemas.Validate(c.Schema, c.Instance)
	if err == nil {
		return nil
	}
	var ve *schemas.ValidationError
	require.ErrorAs(t, err, &ve, c.Name)
	var out []string
	for _, cause := range ve.Causes {
		out = append(out, cause.Path+" "+cause.Rule)
	}
	sort.Strings(out)
	return out
}

// Python's jsonschema accepts every schema under the Draft 2020-12
// metaschema (patterns included) and judges every golden body, the report
// samples and the probes exactly as the Go implementation does: the same
// verdict, and the same failed rules at the same places.
func TestSecondImplementationAgrees(t *testing.T) {
	py := requirePythonJSONSchema(t)
	cases := append(goldenCases(t), differentialCases(t)...)
	res := runPython(t, py, cases)
	names, err := schemas.Names()
	require.NoError(t, err)
	assert.Len(t, res.Schemas, len(names), "Python checked every schema file")
	require.Len(t, res.Cases, len(cases))
	invalid := 0
	for i, c := range cases {
		got := res.Cases[i]
		require.Equal(t, c.Name, got.Name)
		var pyCauses []string
		for _, e := range got.Errors {
			pyCauses = append(pyCauses, e.Path+" "+e.Rule)
		}
		sort.Strings(pyCauses)
		goCauses := goVerdict(t, c)
		if goCauses != nil {
			invalid++
		}
		assert.Equal(t, goCauses == nil, got.Valid, "%s: Go and Python disagree on validity (Go %v, Python %v)", c.Name, goCauses, got.Errors)
		assert.Equal(t, goCauses, pyCauses, "%s: the failed rules", c.Name)
	}
	assert.Greater(t, invalid, 15, "the probes include invalid bodies")
}

// The driver itself: usage errors exit 2 with a message, and a schema the
// metaschema refuses (the non-portable pattern of the past) is reported.
func TestValidateScriptReportsNonPortableSchemas(t *testing.T) {
	py := requirePythonJSONSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, validateScript).CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "usage:")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tag.schema.json"), []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"string","pattern":"^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$"}`), 0o644))
	cmd := exec.CommandContext(ctx, py, validateScript, dir)
	out, err = cmd.Output()
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	var res pyResult
	require.NoError(t, json.Unmarshal(out, &res))
	require.Len(t, res.Schemas, 1)
	assert.False(t, res.Schemas[0].OK)
	assert.Contains(t, res.Schemas[0].Error, "/pattern")
}
