package contract_test

import (
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
	srv := httptest.NewServer(reftarget.New(reftarget.Options{Fault: "already-in-state-as-not-found"}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	t.Setenv("ORGCONFORM_RUN", `^transition/INVITE/(ACCEPTED|OPEN)/AcceptHandshake/recipient$`)
	rec := &recordingTB{TB: t}
	contract.Run(rec, tgt, contract.Options{})
	require.Len(t, rec.errors, 1, "only the selected, broken row fails")
	assert.Contains(t, rec.errors[0], `rerun: ORGCONFORM_RUN='^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$' go test -run '^TestMyEmulator$' .`)
}
