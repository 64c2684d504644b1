package fuzz

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
)

// Each property is shown failing on a fault of the kind it exists for,
// planted the way emulator authors get things wrong, with a shrunk
// counterexample no longer than the fault needs (the bound is stated in
// each test) and a replay script and command.

// failing runs one property against h and returns its failed result.
func failing(t *testing.T, h http.Handler, id string, examples, steps int) check.Result {
	t.Helper()
	rep := runProperties(t, h, "^"+id+"$", examples, steps, 42)
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	require.Equal(t, check.Fail, r.Status, "%s passed against the planted fault: %s", id, r.Observed)
	require.NotNil(t, r.Counterexample, r.Observed)
	require.NotEmpty(t, r.Counterexample.Replay, "a replay script")
	assert.Contains(t, r.Counterexample.Command, "--run '^"+strings.ReplaceAll(id, "/", "/")+"$'")
	assert.Contains(t, r.Counterexample.Command, "--seed "+r.Counterexample.Seed)
	assert.Positive(t, r.Examples)
	assert.Positive(t, r.Requests)
	t.Logf("%s: %s\n%s", id, r.Observed, counterexample(r))
	return r
}

// actions are the steps of a counterexample that are not re-reads of the
// invariant.
func actions(r check.Result) []string {
	var out []string
	for _, s := range r.Counterexample.Steps {
		line, _, _ := strings.Cut(s, "\n")
		if !strings.Contains(line, " check: ") {
			out = append(out, line)
		}
	}
	return out
}

// count is how many of lines contain s.
func count(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// TestInputPropertyCatchesALenientPattern: DescribeHandshake looks up ids
// that break the pattern. Bound: one step, the broken request, whose
// HandshakeId is at most 11 runes (the shortest valid id with one rune
// changed, dropped or added) and the body holds nothing else.
func TestInputPropertyCatchesALenientPattern(t *testing.T) {
	r := failing(t, lenientPattern(reference()), "property/input/DescribeHandshake", 100, 0)
	require.Len(t, r.Counterexample.Steps, 1)
	assert.Contains(t, r.Observed, "pattern at HandshakeId")
	_, after, _ := strings.Cut(r.Counterexample.Steps[0], "\r\n\r\n")
	if after == "" {
		_, after, _ = strings.Cut(r.Counterexample.Steps[0], "\n\n")
	}
	body, _, _ := strings.Cut(after, "\n")
	var in map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(body)), &in), r.Counterexample.Steps[0])
	require.Len(t, in, 1)
	id, _ := in["HandshakeId"].(string)
	assert.LessOrEqual(t, utf8.RuneCountInString(id), 11, "shrunk id %q", id)
	assert.Contains(t, r.Counterexample.Replay, "X-Amz-Target: AWSOrganizationsV20161128.DescribeHandshake")
}

// crashOnMalformed answers 500 with an HTML page when ListAccounts gets a
// body that is not a JSON object.
func crashOnMalformed(next http.Handler) http.Handler {
	return rewrite(next, "ListAccounts", func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		var obj map[string]any
		if json.Unmarshal(req, &obj) == nil {
			return rec
		}
		out := httptest.NewRecorder()
		out.Header().Set("Content-Type", "text/html")
		out.WriteHeader(500)
		out.WriteString("<html><body>Internal Server Error</body></html>")
		return out
	})
}

// TestInputPropertyCatchesA5xxOnAMalformedBody. Bound: one step, a body
// of at most 8 bytes (the malformed bodies the generators shrink to are a
// JSON scalar or a truncated object).
func TestInputPropertyCatchesA5xxOnAMalformedBody(t *testing.T) {
	r := failing(t, crashOnMalformed(reference()), "property/input/ListAccounts", 100, 0)
	require.Len(t, r.Counterexample.Steps, 1)
	assert.Contains(t, r.Observed, "500")
	m := regexpBody.FindStringSubmatch(r.Counterexample.Replay)
	require.NotNil(t, m, r.Counterexample.Replay)
	assert.LessOrEqual(t, len(m[1]), 8, "shrunk body %q", m[1])
}

// describeForAnyone answers DescribeHandshake for any caller: a refusal of
// a handshake the target knows is replaced by the sender's view of it.
func describeForAnyone(next http.Handler) http.Handler {
	var mu sync.Mutex
	sender := map[string]string{} // handshake id → the Authorization of the account that made it
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		target := r.Header.Get("X-Amz-Target")
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(rec, r)
		var in struct{ HandshakeId string }
		_ = json.Unmarshal(body, &in)
		switch {
		case strings.HasSuffix(target, ".InviteAccountToOrganization") && rec.Code == 200:
			var out struct{ Handshake struct{ Id string } }
			_ = json.Unmarshal(rec.Body.Bytes(), &out)
			mu.Lock()
			sender[out.Handshake.Id] = r.Header.Get("Authorization")
			mu.Unlock()
		case strings.HasSuffix(target, ".DescribeHandshake") && rec.Code != 200:
			mu.Lock()
			auth, ok := sender[in.HandshakeId]
			mu.Unlock()
			if ok {
				again := r.Clone(r.Context())
				again.Header.Set("Authorization", auth)
				again.Body = io.NopCloser(bytes.NewReader(body))
				rec = httptest.NewRecorder()
				next.ServeHTTP(rec, again)
			}
		}
		copyRecorded(w, rec)
	})
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// TestLifecycleCatchesAReadAnsweringANonParty. Bound: one action besides
// making the organization — one invitation — whose re-read by a caller
// who is no party fails.
func TestLifecycleCatchesAReadAnsweringANonParty(t *testing.T) {
	r := failing(t, describeForAnyone(reference()), "property/lifecycle", 50, 10)
	assert.Contains(t, r.Observed, "DescribeHandshake")
	acts := actions(r)
	assert.LessOrEqual(t, len(acts), 3, "actions: %v", acts) // create, invite, the failing describe
	assert.Equal(t, 1, count(acts, " invites "), "actions: %v", acts)
	assert.Contains(t, r.Counterexample.Replay, "aws organizations describe-handshake")
}

// memberListedTwice lists the first member of every organization twice in
// ListAccounts (a side effect applied twice: the join recorded again).
func memberListedTwice(next http.Handler) http.Handler {
	return rewrite(next, "ListAccounts", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		var out map[string]json.RawMessage
		var accounts []json.RawMessage
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil || json.Unmarshal(out["Accounts"], &accounts) != nil || len(accounts) < 2 {
			return rec
		}
		accounts = append(accounts, accounts[1])
		out["Accounts"], _ = json.Marshal(accounts)
		b, _ := json.Marshal(out)
		again := httptest.NewRecorder()
		for k, vs := range rec.Header() {
			again.Header()[k] = vs
		}
		again.Header().Del("Content-Length")
		again.WriteHeader(200)
		again.Write(b)
		return again
	})
}

// TestLifecycleCatchesAMemberListedTwice. Bound: the fault needs an
// organization with one member: making the organization, one invitation
// and its acceptance, then ListAccounts — at most 4 actions.
func TestLifecycleCatchesAMemberListedTwice(t *testing.T) {
	r := failing(t, memberListedTwice(reference()), "property/lifecycle", 50, 10)
	assert.Contains(t, r.Observed, "listed 2 times")
	acts := actions(r)
	assert.LessOrEqual(t, len(acts), 4, "actions: %v", acts)
	assert.Equal(t, 1, count(acts, " invites "), "actions: %v", acts)
	assert.Equal(t, 1, count(acts, "AcceptHandshake"), "actions: %v", acts)
}

// lostUpdate handles Accept, Decline and Cancel as an emulator without a
// lock does: it reads the handshake, works a while, then writes; when the
// write finds the state changed meanwhile, it answers with the state it
// meant to write anyway (the last writer's answer wins, the first
// writer's effect is lost).
func lostUpdate(next http.Handler) http.Handler {
	to := map[string]string{"AcceptHandshake": "ACCEPTED", "DeclineHandshake": "DECLINED", "CancelHandshake": "CANCELED"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndex(target, ".")+1:]
		state, ok := to[op]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		read := r.Clone(r.Context())
		read.Header.Set("X-Amz-Target", strings.TrimSuffix(target, op)+"DescribeHandshake")
		read.Body = io.NopCloser(bytes.NewReader(body))
		before := httptest.NewRecorder()
		next.ServeHTTP(before, read)
		wasOpen := before.Code == 200 && strings.Contains(before.Body.String(), `"State":"OPEN"`)
		time.Sleep(50 * time.Millisecond)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code != 200 && wasOpen && rec.Header().Get("X-Amzn-Errortype") != "AccessDeniedException" && rec.Header().Get("X-Amzn-Errortype") != "HandshakeNotFoundException" {
			b := strings.Replace(before.Body.String(), `"State":"OPEN"`, `"State":"`+state+`"`, 1)
			rec = httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/x-amz-json-1.1")
			rec.WriteHeader(200)
			rec.WriteString(b)
		}
		copyRecorded(w, rec)
	})
}

// TestLinearizableCatchesALostUpdate. Bound: two concurrent calls (two
// writers of one handshake) are all the fault needs.
func TestLinearizableCatchesALostUpdate(t *testing.T) {
	r := failing(t, lostUpdate(reference()), "property/linearizable", 30, 0)
	assert.Contains(t, r.Observed, "not linearizable")
	assert.Equal(t, 2, count(r.Counterexample.Steps, "at once #"), "steps: %v", actions(r))
	assert.Contains(t, r.Observed, "|", "a timeline")
}

// regexpBody finds the body a curl replay line sends.
var regexpBody = regexp.MustCompile(`--data-binary '((?:[^']|'\\'')*)'`)
