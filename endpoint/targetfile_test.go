package endpoint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// write puts content in dir/name and returns the path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// sharedEnv points the shared credentials and config files into dir.
func sharedEnv(t *testing.T, dir string) {
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", write(t, dir, "credentials", `
# comment
[org-mgmt]
aws_access_key_id = AKIAMGMT0000000000
aws_secret_access_key = mgmtSecretKeyExample0000000000000000000
aws_account_id = 111111111111

[ m1 ]
AWS_ACCESS_KEY_ID=AKIAMEMBER00000000
aws_secret_access_key=memberSecretKeyExample000000000000000
aws_session_token = sessiontoken
`))
	t.Setenv("AWS_CONFIG_FILE", write(t, dir, "config", `
[profile m1]
aws_account_id = 222222222222
region = eu-west-1

[profile sso-user]
sso_start_url = https://example.awsapps.com/start
aws_account_id = 333333333333

[profile cfg-only]
aws_access_key_id = AKIACFG00000000000
aws_secret_access_key = cfgSecretKeyExample0000000000000000000
`))
}

func TestLoadFileAndResolve(t *testing.T) {
	dir := t.TempDir()
	sharedEnv(t, dir)
	path := write(t, dir, "target.json", `{
		"$comment": "live org",
		"endpoint": "https://organizations.us-east-1.amazonaws.com",
		"region": "us-east-1",
		"principals": {
			"management": {"profile": "org-mgmt"},
			"member": {"profile": "m1"},
			"outsider": {"profile": "cfg-only", "account_id": "444444444444"}
		}
	}`)
	f, err := LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, Config{Endpoint: "https://organizations.us-east-1.amazonaws.com", Region: "us-east-1"}, f.Config())

	ps, err := f.Resolve()
	require.NoError(t, err)
	assert.Equal(t, []Principal{
		{Role: "management", Profile: "org-mgmt", AccountID: "111111111111",
			AccessKeyID: "AKIAMGMT0000000000", SecretAccessKey: "mgmtSecretKeyExample0000000000000000000"},
		{Role: "member", Profile: "m1", AccountID: "222222222222",
			AccessKeyID: "AKIAMEMBER00000000", SecretAccessKey: "memberSecretKeyExample000000000000000", SessionToken: "sessiontoken"},
		{Role: "outsider", Profile: "cfg-only", AccountID: "444444444444",
			AccessKeyID: "AKIACFG00000000000", SecretAccessKey: "cfgSecretKeyExample0000000000000000000"},
	}, ps)

	tg, err := New(f.Config())
	require.NoError(t, err)
	assert.True(t, tg.IsAWS())
	tg.SetPrincipals(ps)
	assert.Equal(t, ps[1], tg.Mint("member"))
}

func TestLoadFileSeveralAccountsPerRole(t *testing.T) {
	dir := t.TempDir()
	sharedEnv(t, dir)
	f, err := LoadFile(write(t, dir, "target.json", `{"endpoint": "https://organizations.us-east-1.amazonaws.com",
		"principals": {"management": [{"profile": "org-mgmt"}, {"profile": "m1", "email": "m1@example.com"}], "outsider": {"profile": "cfg-only", "account_id": "444444444444"}}}`))
	require.NoError(t, err)
	assert.Len(t, f.Principals["management"], 2)
	ps, err := f.Resolve()
	require.NoError(t, err)
	require.Len(t, ps, 3)
	assert.Equal(t, []string{"management", "management", "outsider"}, []string{ps[0].Role, ps[1].Role, ps[2].Role})
	assert.Equal(t, "m1@example.com", ps[1].Email)

	for name, content := range map[string]string{
		"empty list":     `{"endpoint": "https://x.amazonaws.com", "principals": {"management": []}}`,
		"same account":   `{"endpoint": "https://x.amazonaws.com", "principals": {"management": {"profile": "a", "account_id": "111111111111"}, "member": {"profile": "b", "account_id": "111111111111"}}}`,
		"unknown member": `{"endpoint": "https://x.amazonaws.com", "principals": {"management": [{"profile": "a", "acount_id": "1"}]}}`,
	} {
		_, err := LoadFile(write(t, dir, "bad.json", content))
		assert.Error(t, err, name)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"bad json", `{"endpoint": "https://x.amazonaws.com",`, "bad JSON"},
		{"unknown field", `{"endpoint": "https://x.amazonaws.com", "principles": {}}`, `unknown field "principles"`},
		{"trailing data", `{"endpoint": "https://x.amazonaws.com", "principals": {"m": {"profile": "p"}}} {}`, "data after the object"},
		{"bad endpoint", `{"endpoint": "ftp://x", "principals": {"m": {"profile": "p"}}}`, `invalid endpoint "ftp://x": scheme must be http or https`},
		{"no principals", `{"endpoint": "https://x.amazonaws.com"}`, "no principals"},
		{"missing profile", `{"endpoint": "https://x.amazonaws.com", "principals": {"member": {}}}`, `principal "member": missing "profile"`},
		{"bad account id", `{"endpoint": "https://x.amazonaws.com", "principals": {"member": {"profile": "p", "account_id": "12"}}}`, "not 12 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := LoadFile(write(t, dir, "t.json", tt.content))
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadFile(filepath.Join(dir, "nope.json"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "nope.json")
		assert.Contains(t, err.Error(), "no such file")
		assert.NotContains(t, err.Error(), "\n")
	})
}

func TestResolveErrors(t *testing.T) {
	dir := t.TempDir()
	sharedEnv(t, dir)
	tests := []struct{ profile, want string }{
		{"absent", `principal "r": profile "absent" not found in `},
		{"sso-user", `principal "r": profile "sso-user" has no aws_access_key_id/aws_secret_access_key`},
	}
	for _, tt := range tests {
		f := &File{Endpoint: "https://x.amazonaws.com", Principals: map[string]FilePrincipals{"r": {{Profile: tt.profile}}}}
		_, err := f.Resolve()
		require.Error(t, err, tt.profile)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "\n")
	}

	write(t, dir, "credentials", "[noid]\naws_access_key_id=A\naws_secret_access_key=B\n")
	f := &File{Principals: map[string]FilePrincipals{"r": {{Profile: "noid"}}}}
	_, err := f.Resolve()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no account id: set "account_id" in the target file or aws_account_id in profile "noid"`)
}

func TestResolveWithoutSharedFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none-either"))
	f := &File{Principals: map[string]FilePrincipals{"r": {{Profile: "p"}}}}
	_, err := f.Resolve()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not found in")
}
