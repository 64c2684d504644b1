package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// fixedAccounts are the accounts of the target-file tests, by role: on the
// reference target a 12-digit access key id is the caller's account.
var fixedAccounts = map[string][]string{
	"management": {"111111111111", "222222222222"},
	"recipient":  {"333333333333"},
	"member":     {"444444444444"},
	"outsider":   {"555555555555"},
}

// writeTargetFile writes a shared-credentials file and a target file that
// point at url with the given accounts, and returns the target file.
func writeTargetFile(t *testing.T, url string, accounts map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	var creds strings.Builder
	principals := map[string][]map[string]string{}
	for role, ids := range accounts {
		for _, id := range ids {
			fmt.Fprintf(&creds, "[p%s]\naws_access_key_id = %s\naws_secret_access_key = secret-of-%s-0123456789\n", id, id, id)
			principals[role] = append(principals[role], map[string]string{"profile": "p" + id, "account_id": id})
		}
	}
	credPath := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(credPath, []byte(creds.String()), 0o600))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credPath)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	data, err := json.Marshal(map[string]any{"endpoint": url, "region": "us-east-1", "principals": principals})
	require.NoError(t, err)
	path := filepath.Join(dir, "target.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// TestTargetFileRunsTwiceInARow: fixed accounts keep their history, as
// real AWS's do (handshakes are retained 30 days); a second full run
// against the same long-lived target passes as the first did, and the
// accounts end as they began: in no organization, with no open handshake.
func TestTargetFileRunsTwiceInARow(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	file := writeTargetFile(t, srv.URL, fixedAccounts)
	for run := 1; run <= 2; run++ {
		path := filepath.Join(t.TempDir(), "r.json")
		code, out, errOut := runRunner(t, "--target-file", file, "--json", path, "--quiet")
		require.Equal(t, 0, code, "run %d\nstdout:\n%s\nstderr:\n%s", run, out, errOut)
		rep := readReport(t, path)
		assert.Equal(t, 0, rep.Summary.Failed, "run %d", run)
		assert.Equal(t, 0, rep.Summary.Unsupported, "run %d", run)
		assert.Greater(t, rep.Summary.Passed, 300, "run %d", run)
		assert.NotContains(t, out, "cannot serve", "two management accounts serve every check")
		assert.NotContains(t, out, "cleanup failed")
	}
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	for role, ids := range fixedAccounts {
		for _, id := range ids {
			p := endpoint.Principal{AccountID: id, AccessKeyID: id, SecretAccessKey: "x"}
			r := tgt.Raw(context.Background(), p, "DescribeOrganization", []byte(`{}`))
			assert.Equal(t, "AWSOrganizationsNotInUseException", r.Code, "%s %s is left in no organization: %s", role, id, r.Summary())
			r = tgt.Raw(context.Background(), p, "ListHandshakesForAccount", []byte(`{"MaxResults":20}`))
			require.True(t, r.OK(), r.Summary())
			assert.NotContains(t, string(r.Body), `"State":"OPEN"`, "%s %s has no open handshake left", role, id)
		}
	}
}

// TestTargetFileWithFewerAccounts: checks a target file cannot serve are
// named before the run and skipped with that reason; the rest run.
func TestTargetFileWithFewerAccounts(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	accounts := map[string][]string{"management": {"111111111111"}, "recipient": {"333333333333"}, "outsider": {"555555555555"}}
	file := writeTargetFile(t, srv.URL, accounts)
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runRunner(t, "--target-file", file, "--run", "^(constraint/accept/|accept/success/response$|transition/INVITE/OPEN/AcceptHandshake/member$)", "--json", path)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "the target file cannot serve 1 check (the check needs 1 member account(s), the target file has 0); they are skipped")
	assert.Contains(t, out, "the target file cannot serve 1 check (the check needs 2 management account(s), the target file has 1); they are skipped")
	status := map[string]string{}
	for _, c := range readReport(t, path).Checks {
		status[c.ID] = c.Status
	}
	assert.Equal(t, map[string]string{
		"accept/success/response":                           "pass",
		"constraint/accept/already-in-another-organization": "skip",
		"constraint/accept/manages-another-organization":    "pass",
		"transition/INVITE/OPEN/AcceptHandshake/member":     "skip",
	}, status)
}

// TestInvitationBudget: a run plans within a budget of invitations and
// says which checks are left for the next run.
func TestInvitationBudget(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	file := writeTargetFile(t, srv.URL, fixedAccounts)
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runRunner(t, "--target-file", file, "--run", "^accept/success/", "--invitation-budget", "3", "--json", path)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "3 checks fit the invitation budget of 3; 8 are left for the next run")
	rep := readReport(t, path)
	assert.Equal(t, 3, rep.Summary.Passed)
	assert.Equal(t, 8, rep.Summary.Skipped)
	assert.Contains(t, out, "8 checks skipped: left for the next run (invitation budget)")
}

// TestTargetFileWrongEmail: an email the target file gives for an account
// is used unchecked (it saves a round trip); when it is wrong, the checks
// that invite by email fail, and say that the email came from the file.
func TestTargetFileWrongEmail(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	file := writeTargetFile(t, srv.URL, fixedAccounts)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var tf map[string]any
	require.NoError(t, json.Unmarshal(data, &tf))
	rec := tf["principals"].(map[string]any)["recipient"].([]any)[0].(map[string]any)
	rec["email"] = "invitee@example.com" // the reference target's is <account>@example.com
	data, err = json.Marshal(tf)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, data, 0o600))
	code, out, errOut := runRunner(t, "--target-file", file, "--run", "^golden/AcceptHandshake/sample-response$")
	require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "email, invitee@example.com, comes from the target file, unchecked")
}
