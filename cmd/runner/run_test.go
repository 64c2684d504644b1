package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/schemas"
)

// runRunner runs the default command in-process and returns its exit
// status, stdout and stderr.
func runRunner(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := dispatch(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

type jsonReport struct {
	Target  string `json:"target"`
	Summary struct {
		Passed, Failed, Skipped, Unsupported int
	} `json:"summary"`
	Checks []struct {
		ID, Status, Expected, Observed, Exchange, Rerun string
	} `json:"checks"`
}

func readReport(t *testing.T, path string) jsonReport {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(data), "the JSON report must match schemas/report.schema.json")
	var rep jsonReport
	require.NoError(t, json.Unmarshal(data, &rep))
	return rep
}

func TestRunEmbeddedPassesAndWritesReports(t *testing.T) {
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	code, out, errOut := runRunner(t, "--run", "^(accept|protocol|input/AcceptHandshake)/", "--json", jsonPath, "--junit", junitPath)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "embedded reference target")
	assert.Regexp(t, `(?m)^\d+ checks ran: \d+ passed, 0 failed, 0 skipped, 0 unsupported$`, out)
	assert.Contains(t, out, "capabilities:\n  AcceptHandshake ")

	rep := readReport(t, jsonPath)
	assert.Equal(t, 0, rep.Summary.Failed)
	assert.Greater(t, rep.Summary.Passed, 20)
	assert.Len(t, rep.Checks, rep.Summary.Passed+rep.Summary.Failed+rep.Summary.Skipped+rep.Summary.Unsupported)
	for _, c := range rep.Checks {
		assert.True(t, strings.HasPrefix(c.ID, "accept/") || strings.HasPrefix(c.ID, "protocol/") || strings.HasPrefix(c.ID, "input/AcceptHandshake/"), c.ID)
		assert.Contains(t, c.Rerun, "--run '^")
	}

	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(junitPath)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(data, &suites))
	assert.Equal(t, len(rep.Checks), suites.Tests)
	assert.Equal(t, 0, suites.Failures)
}

// wrongTarget is the reference target with AcceptHandshake broken: an
// already accepted handshake is reported as not found.
func wrongTarget() http.Handler {
	ref := reftarget.New(reftarget.Options{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if rec.Header().Get("X-Amzn-Errortype") == "HandshakeAlreadyInStateException" {
			w.Header().Set("X-Amzn-Errortype", "HandshakeNotFoundException")
			body = bytes.ReplaceAll(body, []byte("HandshakeAlreadyInStateException"), []byte("HandshakeNotFoundException"))
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func TestRunFailsWithTheRightCheckIDs(t *testing.T) {
	srv := httptest.NewServer(wrongTarget())
	defer srv.Close()
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := runRunner(t, "--endpoint", srv.URL, "--run", "^transition/INVITE/(ACCEPTED|OPEN)/AcceptHandshake/recipient$", "--json", jsonPath)
	require.Equal(t, 1, code, out)
	rep := readReport(t, jsonPath)
	status := map[string]string{}
	for _, c := range rep.Checks {
		status[c.ID] = c.Status
		if c.Status == "fail" {
			assert.Contains(t, c.Expected, "HandshakeAlreadyInStateException")
			assert.Contains(t, c.Observed, "HandshakeNotFoundException")
			assert.Contains(t, c.Exchange, "X-Amz-Target: AWSOrganizationsV20161128.AcceptHandshake")
			assert.NotContains(t, c.Exchange, "Signature=")
		}
	}
	assert.Equal(t, map[string]string{
		"transition/INVITE/ACCEPTED/AcceptHandshake/recipient": "fail",
		"transition/INVITE/OPEN/AcceptHandshake/recipient":     "pass",
	}, status)
	assert.Contains(t, out, "--- FAIL: transition/INVITE/ACCEPTED/AcceptHandshake/recipient")
	assert.Regexp(t, `rerun: (go run \./cmd/runner|\S+) --endpoint `+regexp.QuoteMeta(srv.URL)+` --run '\^transition/INVITE/ACCEPTED/AcceptHandshake/recipient\$'`, out)
}

// htmlTarget answers every request as moto does for operations it lacks.
func htmlTarget() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(500)
		w.Write([]byte("<!doctype html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>"))
	})
}

func TestRunUnsupportedTarget(t *testing.T) {
	srv := httptest.NewServer(htmlTarget())
	defer srv.Close()
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := runRunner(t, "--endpoint", srv.URL, "--run", "^(accept/success/response|input/AcceptHandshake/upper-case)$", "--json", jsonPath)
	assert.Equal(t, 1, code, out)
	rep := readReport(t, jsonPath)
	assert.Equal(t, 2, rep.Summary.Unsupported, out)
	assert.Contains(t, out, "2 unsupported (they count as failures; --allow-unsupported accepts them)")
	assert.Contains(t, out, "UNSUPPORTED input/AcceptHandshake/upper-case: AcceptHandshake not implemented: HTML 500")
	assert.NotContains(t, out, "--- UNSUPPORTED", "one line per blocked check, not a block")

	code, out, _ = runRunner(t, "--endpoint", srv.URL, "--run", "^accept/success/response$", "--allow-unsupported")
	assert.Equal(t, 1, code, "--allow-unsupported accepts unsupported checks, not a run that judged nothing: %s", out)
	assert.Contains(t, out, "1 unsupported (accepted: --allow-unsupported); no check reached a verdict, so the run does not pass")
	assert.NotContains(t, out, "cleanup failed", "no organization was made, so none is deleted")

	code, out, _ = runRunner(t, "--run", "^transition/TRANSFER_RESPONSIBILITY/")
	assert.Equal(t, 1, code, "every check skipped: %s", out)
	assert.Contains(t, out, "0 passed, 0 failed, 72 skipped, 0 unsupported; no check reached a verdict")
}

func TestRunUsageErrorsExitTwo(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadURL := "http://" + closed.Addr().String()
	closed.Close()
	dir := t.TempDir()
	badFile := filepath.Join(dir, "target.json")
	require.NoError(t, os.WriteFile(badFile, []byte("{not json"), 0o600))
	awsFile := filepath.Join(dir, "aws.json")
	require.NoError(t, os.WriteFile(awsFile, []byte(`{"endpoint":"https://organizations.us-east-1.amazonaws.com","region":"us-east-1","principals":{"management":{"profile":"nope","account_id":"111111111111"}}}`), 0o600))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--frobnicate"}, "flag provided but not defined"},
		{"bad timeout", []string{"--timeout", "soon"}, "invalid value"},
		{"negative timeout", []string{"--timeout", "-1s"}, "--timeout must be positive"},
		{"bad regexp", []string{"--run", "("}, "--run"},
		{"extra argument", []string{"--json", "x.json", "stray"}, `unexpected argument "stray"`},
		{"unknown command", []string{"frob"}, `unknown command "frob"`},
		{"bad scheme", []string{"--endpoint", "ftp://127.0.0.1:1"}, "scheme"},
		{"no host", []string{"--endpoint", "http://"}, "host"},
		{"unreachable", []string{"--endpoint", deadURL, "--timeout", "2s"}, "unreachable"},
		{"unwritable json", []string{"--json", filepath.Join(dir, "missing", "r.json")}, "--json"},
		{"unwritable junit", []string{"--junit", dir}, "--junit"},
		{"bad target file", []string{"--target-file", badFile}, "target.json"},
		{"missing target file", []string{"--target-file", filepath.Join(dir, "none.json")}, "none.json"},
		{"real AWS without principals", []string{"--endpoint", "https://organizations.us-east-1.amazonaws.com"}, "--target-file"},
		{"empty endpoint", []string{"--endpoint", ""}, "--endpoint is empty"},
		{"blank endpoint", []string{"--endpoint", "  "}, "--endpoint is empty"},
		{"run matches nothing", []string{"--run", "^no-such-check$"}, "no check matches --run"},
		{"bad shard", []string{"--shard", "3/2"}, "--shard"},
		{"two reports on stdout", []string{"--json", "-", "--junit", "-"}, "only one of"},
		{"negative parallel", []string{"--parallel", "-2"}, "--parallel"},
		{"zero parallel", []string{"--parallel", "0"}, "--parallel must be at least 1"},
		{"failures dir is a file", []string{"--failures", badFile}, "--failures"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runRunner(t, tc.args...)
			assert.Equal(t, 2, code, "stdout: %s", out)
			assert.Contains(t, errOut, tc.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line: %q", errOut)
		})
	}
}

func TestRunList(t *testing.T) {
	code, out, _ := runRunner(t, "--list", "--run", "^input/AcceptHandshake/")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "input/AcceptHandshake/upper-case\n")
	assert.NotContains(t, out, "DeclineHandshake")
}

func TestRunRefusesLiveAWSWithoutPermission(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(creds, []byte("[org-mgmt]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	file := filepath.Join(dir, "aws.json")
	principals := map[string]any{}
	for i, role := range []string{"management", "recipient", "member", "outsider", "other-management"} {
		principals[role] = map[string]string{"profile": "org-mgmt", "account_id": fmt.Sprintf("%012d", 111111111111+i)}
	}
	write := func(ps map[string]any) {
		data, _ := json.Marshal(map[string]any{"endpoint": "https://organizations.us-east-1.amazonaws.com", "region": "us-east-1", "principals": ps})
		require.NoError(t, os.WriteFile(file, data, 0o600))
	}
	write(principals)
	code, out, errOut := runRunner(t, "--target-file", file)
	assert.Equal(t, 2, code, out)
	assert.Contains(t, errOut, "--allow-live-aws")
	assert.NotContains(t, errOut+out, "wJalrXUtnFEMI", "the secret key is never printed")

	principals["managment"] = map[string]string{"profile": "org-mgmt", "account_id": "999999999999"}
	write(principals)
	code, _, errOut = runRunner(t, "--target-file", file, "--allow-live-aws")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown principal role(s) managment")
}

func TestReportsSurviveARefusedRun(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "r.json")
	require.NoError(t, os.WriteFile(jsonPath, []byte("earlier report"), 0o600))
	code, _, errOut := runRunner(t, "--endpoint", "http://127.0.0.1:1", "--timeout", "1s", "--json", jsonPath)
	require.Equal(t, 2, code, errOut)
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	assert.Equal(t, "earlier report", string(data), "a refused run leaves the earlier report alone")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	code, _, errOut = runRunner(t, "--json", jsonPath, "--junit", filepath.Join(dir, ".", "r.json"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "same file")
}

// TestSecretsNeverPrinted: a target that echoes the request's headers (the
// Authorization signature, the session token) in its error messages; the
// secret key, token and signature appear in no report.
func TestSecretsNeverPrinted(t *testing.T) {
	const secret, token = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY", "SESSIONTOKENSECRETVALUE0123456789"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		r.Header.Write(&b)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".NoSuchOperation") {
			// Not JSON: the secret straddles the 80 characters a summary shows.
			w.WriteHeader(400)
			w.Write([]byte(strings.Repeat("x", 60) + secret + " " + token))
			return
		}
		msg, _ := json.Marshal(map[string]string{"__type": "InvalidInputException", "Message": "echo " + b.String() + " secret " + secret + " \x1b[2J"})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		w.Write(msg)
	}))
	defer echo.Close()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	var profiles strings.Builder
	principals := map[string]any{}
	for i, role := range []string{"management", "recipient", "member", "outsider", "other-management"} {
		fmt.Fprintf(&profiles, "[p%d]\naws_access_key_id = AKIAEXAMPLE%d\naws_secret_access_key = %s\naws_session_token = %s\n", i, i, secret, token)
		principals[role] = map[string]string{"profile": fmt.Sprintf("p%d", i), "account_id": fmt.Sprintf("%012d", 100000000000+i)}
	}
	require.NoError(t, os.WriteFile(creds, []byte(profiles.String()), 0o600))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	file := filepath.Join(dir, "target.json")
	data, _ := json.Marshal(map[string]any{"endpoint": echo.URL, "region": "us-east-1", "principals": principals})
	require.NoError(t, os.WriteFile(file, data, 0o600))

	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	code, out, errOut := runRunner(t, "--target-file", file, "--run", "^(input/AcceptHandshake/upper-case|accept/success/response|protocol/unknown-operation)$", "--json", jsonPath, "--junit", junitPath)
	require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	jsonOut, _ := os.ReadFile(jsonPath)
	junitOut, _ := os.ReadFile(junitPath)
	require.Contains(t, out, "echo ", "the echoed message is shown")
	require.Contains(t, out, "non-json: xxxx", "the echoed non-JSON body is shown")
	for name, text := range map[string]string{"console": out + errOut, "json": string(jsonOut), "junit": string(junitOut)} {
		assert.NotContains(t, text, token, name)
		assert.NotContains(t, text, secret, name)
		assert.NotContains(t, text, strings.ReplaceAll(secret, "/", `\/`), name)
		assert.NotRegexp(t, `Signature=[0-9a-f]{16,}`, text, name)
		assert.NotContains(t, text, secret[:12], name+": not even a prefix of the secret")
	}
	assert.NotContains(t, out, "\x1b", "no terminal escapes reach the console")
}

func TestReportFilesModesAndLinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(real, []byte("old"), 0o640))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(real, link))
	fresh := filepath.Join(dir, "fresh.xml")
	code, out, errOut := runRunner(t, "--run", "^protocol/request-id/success$", "--json", link, "--junit", fresh)
	require.Equal(t, 0, code, out+errOut)

	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.True(t, fi.Mode()&os.ModeSymlink != 0, "the symlink is kept")
	data, err := os.ReadFile(real)
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(data), "the report went through the link")
	fi, err = os.Stat(real)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "an existing report keeps its mode")
	fi, err = os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644)&^umask(), fi.Mode().Perm(), "a new report is readable like any file")
}
