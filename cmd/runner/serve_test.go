package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

// serveListenRe finds the URL in serve's first line.
var serveListenRe = regexp.MustCompile(`^orgconform reference target listening on (http://\S+) \(accounts: LocalStack convention`)

// serveRequire skips the test when a tool is missing, except on CI
// (CI=true), where a missing tool is a failure.
func serveRequire(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required on CI (CI=true) but unavailable: %v", what, err)
	}
	t.Skipf("%s unavailable, skipping (set CI=true to make this a failure): %v", what, err)
}

// serveLockedBuffer is a bytes.Buffer safe for a writer and a reader.
type serveLockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *serveLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *serveLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeFlagErrors: bad flags, stray arguments and a busy port print one
// line and exit 2.
func TestServeFlagErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, args := range [][]string{
		{"--nope"},
		{"--addr"},
		{"--verbose=maybe"},
		{"extra"},
		{"--addr", busy.Addr().String()},
		{"--addr", "not-an-address"},
		{"--without", "Nope"},
		{"--without", "AcceptHandshake,,DeclineHandshake"},
		{"--without", ","},
		{"--without"},
		{"--implicit-organizations=maybe"},
		{"--latency", "-1ms"},
		{"--latency", "1m"},
		{"--latency", "fast"},
	} {
		var stdout, stderr bytes.Buffer
		code := serve(context.Background(), args, &stdout, &stderr)
		lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
		if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "runner serve: ") || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one stderr line", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestServeInProcess: serve announces its address, answers, and returns 0
// when its context ends.
func TestServeInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &serveLockedBuffer{}, &serveLockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, []string{"--addr", "127.0.0.1:0"}, stdout, stderr) }()
	url := ""
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := serveListenRe.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no listen line; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	resp, err := http.Get(url + "/_orgconform/info")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"orgconform reference target"`) {
		t.Errorf("info: %s", body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	if strings.Contains(stderr.String(), "POST") {
		t.Errorf("request log without --verbose: %q", stderr.String())
	}
}

// serveProcess is a running "runner serve" binary.
type serveProcess struct {
	url    string
	cmd    *exec.Cmd
	stderr *serveLockedBuffer
	exited chan error
}

// startServeBinary builds the runner and starts "runner serve" on a free
// loopback port with --verbose and the extra flags, waiting for the listen
// line.
func startServeBinary(t *testing.T, extra ...string) *serveProcess {
	t.Helper()
	_, err := exec.LookPath("go")
	serveRequire(t, "the go tool", err)
	bin := runnerBinary(t)
	p := &serveProcess{stderr: &serveLockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--verbose"}, extra...)...)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
		}
	})
	select {
	case line, ok := <-lines:
		m := serveListenRe.FindStringSubmatch(line)
		if !ok || m == nil {
			t.Fatalf("first line %q does not announce the address and account convention; stderr %q", line, p.stderr.String())
		}
		p.url = m[1]
	case <-time.After(15 * time.Second):
		t.Fatalf("runner serve printed no listen line within 15 s; stderr %q", p.stderr.String())
	}
	return p
}

// stop sends sig and waits for a clean exit.
func (p *serveProcess) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("runner serve exited with %v after %v; stderr %q", err, sig, p.stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("runner serve still running 10 s after %v", sig)
	}
	if !strings.Contains(p.stderr.String(), "runner serve: stopped") {
		t.Errorf("no stop message; stderr %q", p.stderr.String())
	}
}

// TestServeBinary builds and starts the real "runner serve" and drives it
// with the aws CLI and boto3 (in parallel, with separate accounts), then
// checks the request log and a clean SIGINT shutdown.
func TestServeBinary(t *testing.T) {
	p := startServeBinary(t)
	t.Run("clients", func(t *testing.T) {
		t.Run("aws-cli", func(t *testing.T) { t.Parallel(); serveCLIRoundTrip(t, p.url) })
		t.Run("boto3", func(t *testing.T) { t.Parallel(); serveBoto3RoundTrip(t, p.url) })
	})
	// One raw request with a known secret-looking signature, for the log check.
	req, _ := http.NewRequest(http.MethodPost, p.url+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.ListHandshakesForAccount")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=777777777777/20250101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=deadbeefsecret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.stop(t, syscall.SIGINT)

	log := p.stderr.String()
	if !regexp.MustCompile(`(?m) POST ListHandshakesForAccount account=777777777777 status=200 \S+$`).MatchString(log) {
		t.Errorf("no verbose line with method, operation, account, status and duration for the raw request:\n%s", log)
	}
	for _, secret := range []string{"deadbeefsecret", "Signature=", "Credential=", "AWS4-HMAC-SHA256"} {
		if strings.Contains(log, secret) {
			t.Errorf("the request log contains %q", secret)
		}
	}
}

// TestServeBinaryModes starts the real binary with --without,
// --implicit-organizations and --latency: /_orgconform/info reports the
// mode, the named operations and CreateOrganization answer (late) as
// LocalStack answers one it lacks, and an account's first management call
// gives it an organization.
func TestServeBinaryModes(t *testing.T) {
	p := startServeBinary(t, "--without", "AcceptHandshake, ListAccounts", "--implicit-organizations", "--latency", "40ms")
	resp, err := http.Get(p.url + "/_orgconform/info")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Without   []string
		Implicit  bool    `json:"implicitOrganizations"`
		LatencyMs float64 `json:"latencyMs"`
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || !slices.Equal(info.Without, []string{"AcceptHandshake", "CreateOrganization", "ListAccounts"}) || !info.Implicit || info.LatencyMs != 40 {
		t.Errorf("info: %+v %v", info, err)
	}
	for _, op := range []string{"AcceptHandshake", "ListAccounts", "CreateOrganization"} {
		start := time.Now()
		status, body := serveRaw(t, p.url, "777777777777", op, `{}`)
		if took := time.Since(start); took < 40*time.Millisecond {
			t.Errorf("%s answered after %s, within --latency 40ms", op, took)
		}
		want := `{"__type":"InternalFailure","message":"API action '` + op + `' for service 'organizations' not yet implemented or pro feature"}`
		if status != http.StatusNotImplemented || body != want {
			t.Errorf("%s: %d %s, want 501 %s", op, status, body, want)
		}
	}
	status, body := serveRaw(t, p.url, "777777777777", "DescribeOrganization", `{}`)
	if status != http.StatusOK || !strings.Contains(body, `"MasterAccountId":"777777777777"`) {
		t.Errorf("DescribeOrganization by an account in none: %d %s", status, body)
	}
	p.stop(t, syscall.SIGTERM)
}

// serveRaw posts one signed-looking awsJson1_1 request as account.
func serveRaw(t *testing.T, url, account, op, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/20250101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// serveAWSResult is one aws CLI invocation's outcome.
type serveAWSResult struct {
	out  map[string]any
	code string // AWS error code, "" on success
	raw  string
}

var serveCLIErrorRe = regexp.MustCompile(`An error occurred \(([A-Za-z]+)\) when calling the [A-Za-z]+ operation`)

// serveCLIRoundTrip runs the handshake round trip with the aws CLI.
func serveCLIRoundTrip(t *testing.T, url string) {
	awsBin, err := exec.LookPath("aws")
	serveRequire(t, "the aws CLI", err)
	vctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	version, err := exec.CommandContext(vctx, awsBin, "--version").CombinedOutput()
	serveRequire(t, "the aws CLI (aws --version)", err)
	extra := []string{"--endpoint-url", url, "--output", "json"}
	if strings.HasPrefix(string(version), "aws-cli/2") {
		extra = append(extra, "--no-cli-pager")
	}
	dir := t.TempDir()
	aws := func(account string, args ...string) serveAWSResult {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsBin, append(append([]string{"organizations"}, args...), extra...)...)
		cmd.Env = append(serveCleanEnv(),
			"AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		runErr := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("aws %v timed out", args)
		}
		r := serveAWSResult{raw: stdout.String() + stderr.String()}
		if m := serveCLIErrorRe.FindStringSubmatch(stderr.String()); m != nil {
			r.code = m[1]
			return r
		}
		if runErr != nil {
			t.Fatalf("aws %v: %v\n%s", args, runErr, r.raw)
		}
		if strings.TrimSpace(stdout.String()) != "" {
			if err := json.Unmarshal(stdout.Bytes(), &r.out); err != nil {
				t.Fatalf("aws %v: output is not JSON: %v\n%s", args, err, r.raw)
			}
		}
		return r
	}
	ok := func(r serveAWSResult, what string) map[string]any {
		t.Helper()
		if r.code != "" {
			t.Fatalf("%s: %s\n%s", what, r.code, r.raw)
		}
		return r.out
	}
	wantErr := func(r serveAWSResult, code, what string) {
		t.Helper()
		if r.code != code {
			t.Errorf("%s: got %q, want %s\n%s", what, r.code, code, r.raw)
		}
	}
	const mgmt, joiner, decliner, cancelee = "300000000001", "300000000002", "300000000003", "300000000004"

	org := serveField(ok(aws(mgmt, "create-organization", "--feature-set", "ALL"), "create-organization"), "Organization")
	if org["MasterAccountId"] != mgmt || !regexp.MustCompile(`^o-[a-z0-9]{10,32}$`).MatchString(fmt.Sprint(org["Id"])) {
		t.Fatalf("organization %v", org)
	}
	inv := serveField(ok(aws(mgmt, "invite-account-to-organization", "--target", "Id="+joiner+",Type=ACCOUNT", "--notes", "from the CLI"), "invite"), "Handshake")
	id := fmt.Sprint(inv["Id"])
	if inv["State"] != "OPEN" || inv["Action"] != "INVITE" {
		t.Fatalf("invitation %v", inv)
	}
	if ids := serveIDs(ok(aws(joiner, "list-handshakes-for-account"), "list-handshakes-for-account"), "Handshakes"); !slices.Contains(ids, id) {
		t.Errorf("invitee lists %v, want %s", ids, id)
	}
	if ids := serveIDs(ok(aws(mgmt, "list-handshakes-for-organization"), "list-handshakes-for-organization"), "Handshakes"); !slices.Contains(ids, id) {
		t.Errorf("organization lists %v, want %s", ids, id)
	}
	if h := serveField(ok(aws(joiner, "accept-handshake", "--handshake-id", id), "accept"), "Handshake"); h["State"] != "ACCEPTED" {
		t.Errorf("accepted handshake is %v", h["State"])
	}
	wantErr(aws(joiner, "accept-handshake", "--handshake-id", id), "HandshakeAlreadyInStateException", "accept again")
	if o := serveField(ok(aws(joiner, "describe-organization"), "describe-organization"), "Organization"); o["Id"] != org["Id"] {
		t.Errorf("member sees organization %v, want %v", o["Id"], org["Id"])
	}
	if ids := serveIDs(ok(aws(mgmt, "list-accounts"), "list-accounts"), "Accounts"); !slices.Equal(ids, []string{mgmt, joiner}) {
		t.Errorf("list-accounts %v", ids)
	}
	d := serveField(ok(aws(mgmt, "invite-account-to-organization", "--target", "Id="+decliner+",Type=ACCOUNT"), "invite"), "Handshake")
	if h := serveField(ok(aws(decliner, "decline-handshake", "--handshake-id", fmt.Sprint(d["Id"])), "decline"), "Handshake"); h["State"] != "DECLINED" {
		t.Errorf("declined handshake is %v", h["State"])
	}
	c := serveField(ok(aws(mgmt, "invite-account-to-organization", "--target", "Id="+cancelee+"@example.com,Type=EMAIL"), "invite by email"), "Handshake")
	if h := serveField(ok(aws(mgmt, "cancel-handshake", "--handshake-id", fmt.Sprint(c["Id"])), "cancel"), "Handshake"); h["State"] != "CANCELED" {
		t.Errorf("canceled handshake is %v", h["State"])
	}
	// The CLI (botocore) checks no patterns, so "h-BAD" reaches the server.
	wantErr(aws(mgmt, "describe-handshake", "--handshake-id", "h-BAD"), "InvalidInputException", "malformed id")
	wantErr(aws(mgmt, "describe-handshake", "--handshake-id", "h-0000000000"), "HandshakeNotFoundException", "unknown id")
}

// serveBoto3RoundTrip runs scripts/boto3_smoke.py and checks what it saw.
func serveBoto3RoundTrip(t *testing.T, url string) {
	py, err := exec.LookPath("python3")
	serveRequire(t, "python3", err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, py, "-c", "import boto3").CombinedOutput(); err != nil {
		serveRequire(t, "boto3", fmt.Errorf("%v: %s", err, out))
	}
	cmd := exec.CommandContext(ctx, py, filepath.Join("..", "..", "scripts", "boto3_smoke.py"), url, "400")
	cmd.Env = append(serveCleanEnv(), "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "credentials"), "AWS_EC2_METADATA_DISABLED=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3_smoke.py: %v\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
	}
	type failure struct {
		Code   *string
		Reason *string
		Status int
	}
	var obs struct {
		Accounts  map[string]string
		Org       map[string]any
		RequestID string `json:"request_id"`
		Invite    struct {
			ID, State, Arn        string
			ExpiresMinusRequested float64 `json:"expires_minus_requested"`
		}
		ListedForAccount []string `json:"listed_for_account"`
		ListedForOrg     []string `json:"listed_for_org"`
		AcceptState      string   `json:"accept_state"`
		AcceptAgain      failure  `json:"accept_again"`
		MemberOrgID      string   `json:"member_org_id"`
		OrgAccounts      []string `json:"org_accounts"`
		DeclineState     string   `json:"decline_state"`
		CancelState      string   `json:"cancel_state"`
		AcceptCanceled   failure  `json:"accept_canceled"`
		Malformed        failure
		Unknown          failure
		WrongType        failure `json:"wrong_type"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &obs); err != nil {
		t.Fatalf("boto3_smoke.py output: %v\n%s", err, stdout.String())
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	wantFail := func(what string, f failure, code, reason string) {
		t.Helper()
		if str(f.Code) != code || str(f.Reason) != reason || f.Status != 400 {
			t.Errorf("%s: code %q reason %q status %d; want %s %q 400", what, str(f.Code), str(f.Reason), f.Status, code, reason)
		}
	}
	mgmt, joiner := obs.Accounts["mgmt"], obs.Accounts["joiner"]
	if obs.Org["MasterAccountId"] != mgmt || obs.MemberOrgID != obs.Org["Id"] {
		t.Errorf("organization %v, member sees %s", obs.Org, obs.MemberOrgID)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(obs.RequestID) {
		t.Errorf("RequestId %q", obs.RequestID)
	}
	if obs.Invite.State != "OPEN" || obs.Invite.ExpiresMinusRequested != 15*24*3600 ||
		obs.Invite.Arn != fmt.Sprintf("arn:aws:organizations::%s:handshake/%s/invite/%s", mgmt, obs.Org["Id"], obs.Invite.ID) {
		t.Errorf("invitation %+v", obs.Invite)
	}
	if !slices.Contains(obs.ListedForAccount, obs.Invite.ID) || !slices.Contains(obs.ListedForOrg, obs.Invite.ID) {
		t.Errorf("invitation %s not listed: account %v, organization %v", obs.Invite.ID, obs.ListedForAccount, obs.ListedForOrg)
	}
	if obs.AcceptState != "ACCEPTED" || obs.DeclineState != "DECLINED" || obs.CancelState != "CANCELED" {
		t.Errorf("states: accept %s decline %s cancel %s", obs.AcceptState, obs.DeclineState, obs.CancelState)
	}
	if !slices.Equal(obs.OrgAccounts, []string{mgmt, joiner}) {
		t.Errorf("accounts %v", obs.OrgAccounts)
	}
	wantFail("accept again", obs.AcceptAgain, "HandshakeAlreadyInStateException", "")
	wantFail("accept a canceled handshake", obs.AcceptCanceled, "InvalidHandshakeTransitionException", "")
	wantFail("malformed id", obs.Malformed, "InvalidInputException", "INVALID_PATTERN")
	wantFail("unknown id", obs.Unknown, "HandshakeNotFoundException", "")
	wantFail("wrongly typed id", obs.WrongType, "SerializationException", "")
}

// serveCleanEnv is the environment without AWS_* variables, so that no
// profile, region or credential of the machine leaks into a client.
func serveCleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// serveField returns the object member name of m (or fails loudly via nil map).
func serveField(m map[string]any, name string) map[string]any {
	v, _ := m[name].(map[string]any)
	return v
}

// serveIDs returns the Id of every object in the list member name of m.
func serveIDs(m map[string]any, name string) []string {
	list, _ := m[name].([]any)
	var ids []string
	for _, it := range list {
		if o, ok := it.(map[string]any); ok {
			ids = append(ids, fmt.Sprint(o["Id"]))
		}
	}
	return ids
}

// TestServeModeLine: runner serve says which partial or slow mode it
// runs in, after the line that says where it listens.
func TestServeModeLine(t *testing.T) {
	if got := serveMode(reftarget.Options{}); got != "" {
		t.Errorf("no mode: %q", got)
	}
	want := "not implemented: DescribeHandshake, ListAccounts; implicit organizations (CreateOrganization not implemented); every answer 40ms late"
	if got := serveMode(reftarget.Options{Without: []string{"DescribeHandshake", "ListAccounts"}, ImplicitOrganizations: true, Latency: 40 * time.Millisecond}); got != want {
		t.Errorf("mode: %q, want %q", got, want)
	}
}
