package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// reply is a response of the reference target, open to mutation.
type reply struct {
	op     string // operation of the request
	status int
	header http.Header
	body   map[string]any // nil when the body is not a JSON object
	raw    []byte         // replaces the body when set
}

// mutant wraps the reference target and breaks one rule of the contract.
type mutant struct {
	name   string
	run    string                  // the checks to run
	mutate func(*reply)            // applied to every response
	want   map[string]check.Status // checks that must end so
}

func (m mutant) handler() http.Handler {
	ref := reftarget.New(reftarget.Options{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
		rp := &reply{op: op, status: rec.Code, header: rec.Header().Clone()}
		_ = json.Unmarshal(rec.Body.Bytes(), &rp.body)
		m.mutate(rp)
		body := rec.Body.Bytes()
		switch {
		case rp.raw != nil:
			body = rp.raw
		case rp.body != nil:
			body, _ = json.Marshal(rp.body)
		}
		for k, v := range rp.header {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rp.status)
		w.Write(body)
	})
}

func errCode(rp *reply) string {
	if rp.body == nil {
		return ""
	}
	s, _ := rp.body["__type"].(string)
	return s
}

func setError(rp *reply, code string) {
	rp.body["__type"] = code
	rp.header.Set("X-Amzn-Errortype", code)
}

func handshakeOf(rp *reply) map[string]any {
	h, _ := rp.body["Handshake"].(map[string]any)
	return h
}

// mutants are deliberately wrong targets; each must make the named checks
// fail (or be unsupported), which shows those checks can fail.
var mutants = []mutant{
	{
		name: "already-in-state answered as not found",
		run:  `^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`,
		mutate: func(rp *reply) {
			if errCode(rp) == "HandshakeAlreadyInStateException" {
				setError(rp, "HandshakeNotFoundException")
			}
		},
		want: map[string]check.Status{"transition/INVITE/ACCEPTED/AcceptHandshake/recipient": check.Fail},
	},
	{
		name: "AcceptHandshake answers an HTML 500",
		run:  `^accept/success/(response|sdk)$`,
		mutate: func(rp *reply) {
			if rp.op == "AcceptHandshake" {
				rp.status, rp.raw = 500, []byte("<!DOCTYPE html><html><title>500 Internal Server Error</title></html>")
				rp.header = http.Header{"Content-Type": {"text/html"}}
			}
		},
		want: map[string]check.Status{"accept/success/response": check.Unsupported, "accept/success/sdk": check.Unsupported},
	},
	{
		name: "upper-case ids looked up instead of refused",
		run:  `^input/AcceptHandshake/(upper-case|unknown-id)$`,
		mutate: func(rp *reply) {
			if rp.op == "AcceptHandshake" && errCode(rp) == "InvalidInputException" {
				setError(rp, "HandshakeNotFoundException")
				delete(rp.body, "Reason")
			}
		},
		want: map[string]check.Status{"input/AcceptHandshake/upper-case": check.Fail, "input/AcceptHandshake/unknown-id": check.Pass},
	},
	{
		name: "wrong reason code",
		run:  `^input/DescribeHandshake/too-long$|^errors/DescribeHandshake/schema$|^sdk/AcceptHandshake/invalid-pattern$`,
		mutate: func(rp *reply) {
			if rp.body != nil && rp.body["Reason"] != nil {
				rp.body["Reason"] = "ALREADY_IN_AN_ORGANIZATION"
			}
		},
		want: map[string]check.Status{"input/DescribeHandshake/too-long": check.Fail, "errors/DescribeHandshake/schema": check.Fail, "sdk/AcceptHandshake/invalid-pattern": check.Fail},
	},
	{
		name: "no request id",
		run:  `^protocol/request-id/`,
		mutate: func(rp *reply) {
			rp.header.Del("X-Amzn-Requestid")
		},
		want: map[string]check.Status{"protocol/request-id/success": check.Fail, "protocol/request-id/error": check.Fail},
	},
	{
		name: "HTTP 500 for a client error",
		run:  `^input/CancelHandshake/unknown-id$`,
		mutate: func(rp *reply) {
			if errCode(rp) == "HandshakeNotFoundException" {
				rp.status = 500
			}
		},
		want: map[string]check.Status{"input/CancelHandshake/unknown-id": check.Fail},
	},
	{
		name: "accepted handshake reported OPEN, with string timestamps and a foreign ARN",
		run:  `^accept/success/(response|schema|expiry-15-days)$`,
		mutate: func(rp *reply) {
			if h := handshakeOf(rp); rp.op == "AcceptHandshake" && h != nil {
				h["State"] = "OPEN"
				h["RequestedTimestamp"] = "2016-12-13T19:14:19Z"
				h["Arn"] = "arn:aws:organizations::111111111111:handshake/o-exampleorgid/invite/h-examplehandshakeid111"
			}
		},
		want: map[string]check.Status{"accept/success/response": check.Fail, "accept/success/schema": check.Fail, "accept/success/expiry-15-days": check.Fail},
	},
	{
		name: "undocumented exception",
		run:  `^input/AcceptHandshake/unknown-id$|^errors/AcceptHandshake/documented$`,
		mutate: func(rp *reply) {
			if errCode(rp) == "HandshakeNotFoundException" {
				setError(rp, "ResourceNotFoundException")
			}
		},
		want: map[string]check.Status{"input/AcceptHandshake/unknown-id": check.Fail, "errors/AcceptHandshake/documented": check.Fail},
	},
	{
		name: "decline by the sender succeeds",
		run:  `^transition/INVITE/OPEN/DeclineHandshake/sender$`,
		mutate: func(rp *reply) {
			if rp.op == "DeclineHandshake" && rp.status == 400 {
				rp.status, rp.body = 200, map[string]any{"Handshake": map[string]any{"State": "DECLINED"}}
				rp.header.Del("X-Amzn-Errortype")
			}
		},
		want: map[string]check.Status{"transition/INVITE/OPEN/DeclineHandshake/sender": check.Fail},
	},
	{
		name: "invitations never expire",
		run:  `^transition/INVITE/EXPIRED/AcceptHandshake/recipient$`,
		mutate: func(rp *reply) {
			if h := handshakeOf(rp); h != nil && h["State"] == "EXPIRED" {
				h["State"] = "OPEN"
			}
		},
		want: map[string]check.Status{"transition/INVITE/EXPIRED/AcceptHandshake/recipient": check.Fail},
	},
	{
		name: "second concurrent accept also succeeds",
		run:  `^accept/success/concurrent$`,
		mutate: func(rp *reply) {
			if rp.op == "AcceptHandshake" && errCode(rp) == "HandshakeAlreadyInStateException" {
				rp.status, rp.body = 200, map[string]any{"Handshake": map[string]any{"State": "ACCEPTED"}}
				rp.header.Del("X-Amzn-Errortype")
			}
		},
		want: map[string]check.Status{"accept/success/concurrent": check.Fail},
	},
	{
		name: "every refusal answered as a concurrent modification",
		run:  `^input/AcceptHandshake/upper-case$|^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`,
		mutate: func(rp *reply) {
			if rp.op == "AcceptHandshake" && errCode(rp) != "" {
				setError(rp, "ConcurrentModificationException")
				delete(rp.body, "Reason")
			}
		},
		want: map[string]check.Status{"input/AcceptHandshake/upper-case": check.Fail, "transition/INVITE/ACCEPTED/AcceptHandshake/recipient": check.Fail},
	},
	{
		name: "every refusal answered as an internal failure",
		run:  `^input/DeclineHandshake/upper-case$`,
		mutate: func(rp *reply) {
			if rp.op == "DeclineHandshake" && errCode(rp) != "" {
				rp.status = 500
				setError(rp, "ServiceException")
				delete(rp.body, "Reason")
			}
		},
		want: map[string]check.Status{"input/DeclineHandshake/upper-case": check.Fail},
	},
	{
		name: "sample response drifts from the golden (extra party)",
		run:  `^golden/AcceptHandshake/sample-response$`,
		mutate: func(rp *reply) {
			if h := handshakeOf(rp); rp.op == "AcceptHandshake" && h != nil {
				h["Parties"] = append(h["Parties"].([]any), map[string]any{"Id": "999999999999", "Type": "ACCOUNT"})
			}
		},
		want: map[string]check.Status{"golden/AcceptHandshake/sample-response": check.Fail},
	},
}

// TestMutantsAreCaught runs each mutant and asserts the named checks reach
// the named verdicts; run against the unmutated reference target the same
// checks pass (TestConformance).
func TestMutantsAreCaught(t *testing.T) {
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			srv := httptest.NewServer(m.handler())
			defer srv.Close()
			tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
			require.NoError(t, err)
			rep := contract.Execute(t.Context(), tgt, contract.Options{Run: regexp.MustCompile(m.run)})
			got := map[string]check.Status{}
			var detail bytes.Buffer
			for _, r := range rep.Results {
				got[r.ID] = r.Status
				fmt.Fprintf(&detail, "%s %s: %s\n", r.ID, r.Status, r.Observed)
			}
			for id, want := range m.want {
				assert.Equal(t, want, got[id], "check %s\n%s", id, detail.String())
			}
		})
	}
}

// TestHangingOperationCostsFewTimeouts: a target that never answers
// AcceptHandshake fails the checks that need it, after at most two
// timeouts in the whole run.
func TestHangingOperationCostsFewTimeouts(t *testing.T) {
	ref := reftarget.New(reftarget.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".AcceptHandshake") {
			io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	rep := contract.Execute(t.Context(), tgt, contract.Options{Run: regexp.MustCompile(`^(input/AcceptHandshake/|accept/success/)`)})
	require.Greater(t, len(rep.Results), 20)
	timedOut := 0
	for _, r := range rep.Results {
		assert.Equal(t, check.Fail, r.Status, "%s: %s", r.ID, r.Observed)
		if strings.Contains(r.Observed, "timeout") {
			timedOut++
		}
	}
	assert.LessOrEqual(t, timedOut, 2)
	assert.Less(t, time.Since(start), 10*time.Second)
}

// TestThrottlingIsRetried: a target that throttles every other
// AcceptHandshake still passes; send retries throttled calls.
func TestThrottlingIsRetried(t *testing.T) {
	ref := reftarget.New(reftarget.Options{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".AcceptHandshake") && n.Add(1)%2 == 1 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("X-Amzn-Requestid", "throttled")
			w.WriteHeader(400)
			w.Write([]byte(`{"__type":"TooManyRequestsException","Message":"slow down"}`))
			return
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	rep := contract.Execute(t.Context(), tgt, contract.Options{Run: regexp.MustCompile(`^(input/AcceptHandshake/(upper-case|unknown-id)|accept/success/(response|sdk)|transition/INVITE/ACCEPTED/AcceptHandshake/recipient|sdk/AcceptHandshake/not-found|protocol/missing-authentication)$`)})
	require.Len(t, rep.Results, 7)
	for _, r := range rep.Results {
		assert.Equal(t, check.Pass, r.Status, "%s: %s", r.ID, r.Observed)
	}
	assert.Greater(t, n.Load(), int64(4), "the target did throttle")
}

// recordingTB is a testing.TB that records what Run reports.
type recordingTB struct {
	testing.TB
	errors, skips []string
}

func (r *recordingTB) Helper()      {}
func (r *recordingTB) Name() string { return "TestMyEmulator" }
func (r *recordingTB) Errorf(f string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}
func (r *recordingTB) Skipf(f string, args ...any) {
	r.skips = append(r.skips, fmt.Sprintf(f, args...))
}
func (r *recordingTB) Fatalf(f string, args ...any) { r.Errorf(f, args...) }

// TestRunReportsWithRerunHints: Run, given a non-*testing.T, reports each
// failing check with a hint that reruns just it.
func TestRunReportsWithRerunHints(t *testing.T) {
	srv := httptest.NewServer(mutants[0].handler())
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	t.Setenv("ORGCONFORM_RUN", `^transition/INVITE/(ACCEPTED|OPEN)/AcceptHandshake/recipient$`)
	rec := &recordingTB{TB: t}
	contract.Run(rec, tgt, contract.Options{})
	require.Len(t, rec.errors, 1, "only the selected, broken row fails")
	assert.Contains(t, rec.errors[0], `rerun: ORGCONFORM_RUN='^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$' go test -run '^TestMyEmulator$' .`)
}
