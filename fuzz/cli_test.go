package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/internal/text"
)

// runSh runs script with a fake aws and curl that print their arguments,
// one a line.
func runSh(t *testing.T, script string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	fake := `aws() { for a in "$@"; do printf '%s\n' "$a"; done; }; curl() { for a in "$@"; do printf '%s\n' "$a"; done; }; `
	out, err := exec.Command("sh", "-c", fake+script).CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// TestCLILineReplaysWithVariables: the ids a scenario made become the
// script's variables, quoted so that sh passes the body intact.
func TestCLILineReplaysWithVariables(t *testing.T) {
	vars := map[string]string{"h-abcdefgh12": "H1", "111111111111": "RECIPIENT_1"}
	line := cliLine("MANAGEMENT_1", "InviteAccountToOrganization", []byte(`{"Target":{"Id":"111111111111","Type":"ACCOUNT"},"Notes":"it's h-abcdefgh12"}`), vars, "", "Handshake.Id")
	assert.Contains(t, line, "AWS_ACCESS_KEY_ID=$MANAGEMENT_1 aws organizations invite-account-to-organization")
	out := runSh(t, `RECIPIENT_1=222222222222 MANAGEMENT_1=333333333333 ENDPOINT=http://x; `+line)
	assert.Contains(t, out, `{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"Notes":"it's h-abcdefgh12"}`+"\n", "only whole JSON strings are replaced")
	assert.Contains(t, out, "--query\nHandshake.Id\n--output\ntext\n")

	out = runSh(t, `H1=h-zzzzzzzz99; ENDPOINT=http://x; `+cliLine("RECIPIENT_1", "AcceptHandshake", []byte(`{"HandshakeId":"h-abcdefgh12"}`), vars, "", ""))
	assert.Contains(t, out, `{"HandshakeId":"h-zzzzzzzz99"}`)
	assert.Equal(t, "describe-organization", kebab("DescribeOrganization"))
}

// TestCurlLineSendsTheBodyByteForByte: the input property's replay sends
// exactly the body it sent, quotes and all.
func TestCurlLineSendsTheBodyByteForByte(t *testing.T) {
	body := `{"HandshakeId":"h-'x'\u00e9"}` + "\n"
	out := runSh(t, `ENDPOINT=http://x AWS_DEFAULT_REGION=us-east-1 OUTSIDER_1=1 AWS_SECRET_ACCESS_KEY=s; `+curlLine("OUTSIDER_1", "DescribeHandshake", []byte(body)))
	assert.True(t, strings.Contains(out, "--data-binary\n"+body), out)
	assert.Contains(t, out, "X-Amz-Target: AWSOrganizationsV20161128.DescribeHandshake\n")
	assert.Contains(t, out, "aws:amz:us-east-1:organizations\n")
}

// TestCLILineSendsOnePageAtATime: a list's line sends --no-paginate (the
// aws CLI otherwise follows every page itself, so a page-1 line with
// MaxResults 1 would print every account); a later page's line sends the
// NextToken the previous page's line captured, not the run's, and runs
// only when that page had one (aws --output text prints None for null).
func TestCLILineSendsOnePageAtATime(t *testing.T) {
	vars := map[string]string{"111111111111": "MANAGEMENT_1"}
	first := captureLine(func(q string) string {
		return cliLine("MANAGEMENT_1", "ListAccounts", []byte(`{"MaxResults":1}`), vars, "", q)
	}, []string{"T1=NextToken"})
	assert.Contains(t, first, `T1=$(AWS_ACCESS_KEY_ID=$MANAGEMENT_1 aws organizations list-accounts --cli-input-json '{"MaxResults":1}' --endpoint-url "$ENDPOINT" --no-paginate --query "NextToken" --output text)`)
	assert.NotContains(t, cliLine("MANAGEMENT_1", "DescribeOrganization", nil, vars, "", ""), "--no-paginate", "only lists page")

	second := cliLine("MANAGEMENT_1", "ListAccounts", []byte(`{"MaxResults":1,"NextToken":"dG9rZW4tb2YtdGhlLXJ1bg"}`), vars, "T1", "")
	assert.NotContains(t, second, "dG9rZW4tb2YtdGhlLXJ1bg", "the run's token means nothing on another target")
	out := runSh(t, `MANAGEMENT_1=111111111111 ENDPOINT=http://x; T1=replay-token; `+second)
	assert.Contains(t, out, `{"MaxResults":1,"NextToken":"replay-token"}`+"\n")
	assert.Contains(t, out, "--no-paginate\n")
	for _, none := range []string{"T1=None", "T1=", "unset T1"} {
		assert.Empty(t, runSh(t, `MANAGEMENT_1=111111111111 ENDPOINT=http://x; `+none+`; `+second), "%s: the previous page was the last", none)
	}
	// A token equal to an id the scenario knows is still sent as the token.
	same := cliLine("MANAGEMENT_1", "ListAccounts", []byte(`{"NextToken":"111111111111"}`), vars, "T2", "")
	assert.Contains(t, runSh(t, `MANAGEMENT_1=9 ENDPOINT=http://x; T2=t; `+same), `{"NextToken":"t"}`)
}

// TestCaptureLineKeepsSeveralValues: a page that lists the handshake a
// scenario looks for and hands out a NextToken keeps both, from one call.
func TestCaptureLineKeepsSeveralValues(t *testing.T) {
	line := captureLine(func(q string) string { return "aws " + q }, []string{"H2=Handshakes[0].Id", "T1=NextToken"})
	assert.Equal(t, `set -- $(aws [Handshakes[0].Id, NextToken]); H2=$1 T1=$2`, line)
	out, err := exec.Command("sh", "-c", `aws() { printf 'h-abcdefgh12\ttok\n'; }; `+line+`; echo "$H2 $T1"`).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "h-abcdefgh12 tok\n", string(out))
	assert.Equal(t, "aws ", captureLine(func(q string) string { return "aws " + q }, nil))
}

// pagesOverlap plants, in list op (whose items are member key), the fault
// of an emulator that resumes a list at the item its NextToken names
// instead of after it: every page after the first starts again with the
// last item of the page before (shown only by following a NextToken).
func pagesOverlap(next http.Handler, op, key string) http.Handler {
	var mu sync.Mutex
	last := map[string]json.RawMessage{} // NextToken → the last item of the page that handed it out
	return rewrite(next, op, func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		var in struct{ NextToken string }
		var out map[string]json.RawMessage
		var items []json.RawMessage
		if rec.Code != 200 || json.Unmarshal(req, &in) != nil || json.Unmarshal(rec.Body.Bytes(), &out) != nil || json.Unmarshal(out[key], &items) != nil {
			return rec
		}
		var token string
		_ = json.Unmarshal(out["NextToken"], &token)
		mu.Lock()
		defer mu.Unlock()
		if token != "" && len(items) > 0 {
			last[token] = items[len(items)-1]
		}
		again, ok := last[in.NextToken]
		if in.NextToken == "" || !ok {
			return rec
		}
		out[key], _ = json.Marshal(append([]json.RawMessage{again}, items...))
		b, _ := json.Marshal(out)
		w := httptest.NewRecorder()
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(200)
		w.Write(b)
		return w
	})
}

// listCall is one page of a list a target served.
type listCall struct {
	op          string
	token, next string // the request's NextToken, the answer's
	ids         []string
}

// recordLists wraps next and keeps the pages of ListAccounts and
// ListHandshakesForOrganization it serves.
func recordLists(next http.Handler, mu *sync.Mutex, into *[]listCall) http.Handler {
	for op := range map[string]bool{"ListAccounts": true, "ListHandshakesForOrganization": true} {
		next = rewrite(next, op, func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			var in struct{ NextToken string }
			var out struct {
				Accounts, Handshakes []struct{ Id string }
				NextToken            string
			}
			_ = json.Unmarshal(req, &in)
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			c := listCall{op: op, token: in.NextToken, next: out.NextToken}
			for _, x := range append(out.Accounts, out.Handshakes...) {
				c.ids = append(c.ids, x.Id)
			}
			mu.Lock()
			*into = append(*into, c)
			mu.Unlock()
			return rec
		})
	}
	return next
}

// pagedReads is a property of a few steps of the lifecycle machine: two
// invitations, an acceptance, the organization's accounts and handshakes
// read one a page.
func pagedReads(t *check.T) {
	t.Property(func(rt *rapid.T, rec *check.Recorder) {
		m := newMachine(t, rt, rec)
		m.invite(rt)
		m.invite(rt)
		m.answer("AcceptHandshake")(rt)
		m.listAccounts(rt, m.a, 1, "")
		m.listForOrganization(rt, m.mgmt, 1, "")
	})
}

// TestReplayFollowsThePagesOfTheScenario: a property fails on a fault only
// a second page of ListHandshakesForOrganization shows; its replay script
// sends each page as one request (--no-paginate) and each later page with
// the NextToken the script captured from the page before. Run with the aws
// CLI against a fresh faulty target, whose tokens differ from the run's
// (it made an organization first), the script sends exactly the pages the
// scenario did, each with the token the target just handed out, and shows
// the fault again.
func TestReplayFollowsThePagesOfTheScenario(t *testing.T) {
	faulty := func() http.Handler {
		return pagesOverlap(reference(), "ListHandshakesForOrganization", "Handshakes")
	}
	srv := httptest.NewServer(faulty())
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	restoreRapid(t)
	require.NoError(t, check.ConfigureRapid(20, 1, 42))
	require.NoError(t, check.ConfigureShrinking(shrinkTime))
	rep := check.Execute(context.Background(), tgt, []check.Check{{ID: "property/paged-reads", Group: Group, Run: pagedReads,
		Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake"}, Principals: lifecycleNeeds}}}, check.Options{Prepare: fixture.Discover})
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	require.Equal(t, check.Fail, r.Status, r.Observed)
	require.NotNil(t, r.Counterexample, r.Observed)
	require.Contains(t, r.Observed, "ListHandshakesForOrganization")
	script := r.Counterexample.Replay
	t.Logf("%s\n%s", r.Observed, script)

	lines := map[string]int{} // list lines by operation
	for _, line := range strings.Split(script, "\n") {
		for op := range map[string]bool{"ListAccounts": true, "ListHandshakesForOrganization": true} {
			if strings.Contains(line, " aws organizations "+kebab(op)+" ") {
				lines[op]++
				assert.Contains(t, line, " --no-paginate", "a list's line sends one page")
			}
		}
	}
	assert.Equal(t, 2, lines["ListAccounts"], "two accounts, one a page")
	assert.Regexp(t, `(?m)^T1=\$\(AWS_ACCESS_KEY_ID=\$MANAGEMENT_1 aws organizations list-accounts --cli-input-json '\{"MaxResults":1\}' --endpoint-url "\$ENDPOINT" --no-paginate --query "NextToken" --output text\)$`, script, "page 1 captures its NextToken")
	assert.Contains(t, script, `if [ "${T1:-None}" != None ]; then AWS_ACCESS_KEY_ID=$MANAGEMENT_1 aws organizations list-accounts --cli-input-json '{"MaxResults":1,"NextToken":"'"$T1"'"}'`, "page 2 sends the captured token, when page 1 had one")
	assert.Contains(t, script, `"NextToken":"'"$T2"'"}'`, "so does the handshake list")
	assert.NotRegexp(t, `"NextToken":"[^']`, script, "no NextToken of the run")

	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the aws CLI is required on CI (CI=true) to replay a script: %v", err)
		}
		t.Skipf("no aws CLI, the script is not run; set CI=true to make this a failure: %v", err)
	}
	var mu sync.Mutex
	var replayed []listCall
	again := httptest.NewServer(recordLists(faulty(), &mu, &replayed))
	t.Cleanup(again.Close)
	env := []string{"ENDPOINT=" + again.URL, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_DEFAULT_OUTPUT=json", "AWS_PAGER=", "HOME=" + t.TempDir()}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// An organization first, so that the target's positions, and so its
	// tokens, differ from the run's.
	shift := fmt.Sprintf("AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=999999999999 %s organizations create-organization --endpoint-url %q >/dev/null\n", text.ShellQuote(aws), again.URL)
	cmd := exec.CommandContext(ctx, "sh", "-c", shift+script)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("replayed in %s", time.Since(start))

	runTokens := map[string]bool{}
	for _, s := range r.Counterexample.Steps {
		for _, m := range regexp.MustCompile(`"NextToken":\s*"([^"]+)"`).FindAllStringSubmatch(s, -1) {
			runTokens[m[1]] = true
		}
	}
	require.NotEmpty(t, runTokens, "the run followed tokens")
	mu.Lock()
	defer mu.Unlock()
	sent := map[string]int{}
	prev := map[string]listCall{}
	for _, c := range replayed {
		sent[c.op]++
		if c.token != "" {
			assert.Equal(t, prev[c.op].next, c.token, "%s sends the token the target just handed out", c.op)
			assert.False(t, runTokens[c.token], "%s sends a token of the run", c.op)
		}
		prev[c.op] = c
	}
	assert.Equal(t, lines, sent, "one request a list line:\n%s", out)
	last := prev["ListHandshakesForOrganization"]
	require.NotEmpty(t, last.ids, "%+v", replayed)
	assert.NotEmpty(t, last.token, "the failure shows on a later page")
	assert.Len(t, last.ids, 2, "the replay shows the fault again: a page of MaxResults 1 with the previous page's handshake first")
}
