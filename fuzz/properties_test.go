package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/reftarget"
)

// shrinkTime bounds the shrinking of a planted fault's counterexample:
// enough to reach the stated bounds, short enough for go test.
const shrinkTime = 4 * time.Second

// runProperties runs the properties whose id matches filter against h
// with examples and steps, and returns the report.
func runProperties(t *testing.T, h http.Handler, filter string, examples, steps int, seed uint64) *check.Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	restoreRapid(t)
	require.NoError(t, check.ConfigureRapid(examples, steps, seed))
	require.NoError(t, check.ConfigureShrinking(shrinkTime))
	return check.Execute(context.Background(), tgt, Checks(), check.Options{Filter: regexp.MustCompile(filter), Prepare: fixture.Discover, Parallel: 4})
}

// TestPropertiesPassOnTheReferenceTarget: every property holds on the
// reference target.
func TestPropertiesPassOnTheReferenceTarget(t *testing.T) {
	rep := runProperties(t, reftarget.New(reftarget.Options{}), "^property/", 10, 15, 1)
	for _, r := range rep.Results {
		require.Equal(t, check.Pass, r.Status, "%s: %s\n%s", r.ID, r.Observed, counterexample(r))
		t.Logf("%s: %d examples, %d requests, %s", r.ID, r.Examples, r.Requests, r.Duration)
	}
	t.Logf("%d requests", rep.Requests)
}

// TestLongListsHoldOnTheReferenceTarget: a long sequence leaves an
// organization with dozens of retained handshakes, which a target that
// hands out one handshake a page, each after nine empty pages (both
// allowed: a page may hold fewer results than MaxResults, even none),
// lists in over a hundred pages; the lifecycle property follows them to
// the end (it once gave up after 100 pages and called the list endless).
func TestLongListsHoldOnTheReferenceTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("a long sequence")
	}
	rep := runProperties(t, paddedPages(reftarget.New(reftarget.Options{})), "^property/lifecycle$", 1, 200, 1)
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	require.Equal(t, check.Pass, r.Status, "%s: %s\n%s", r.ID, r.Observed, counterexample(r))
	t.Logf("%d requests", r.Requests)
}

// paddedPages serves the organization's handshake list of h one handshake
// a page, each page after nine empty ones.
func paddedPages(h http.Handler) http.Handler {
	const pad, pads = "pad", 9
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if !strings.HasSuffix(target, ".ListHandshakesForOrganization") {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		if json.Unmarshal(body, &in) != nil || in == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(w, r)
			return
		}
		token, _ := in["NextToken"].(string)
		n := 0 // empty pages handed out before this request
		if rest, ok := strings.CutPrefix(token, pad); ok {
			n, token = int(rest[0]-'0'), rest[2:]
		}
		if token == "" {
			delete(in, "NextToken")
		} else {
			in["NextToken"] = token
		}
		in["MaxResults"] = 1
		body, _ = json.Marshal(in)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if n < pads && rec.Code == http.StatusOK {
			// The caller may list: an empty page first.
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("x-amzn-RequestId", rec.Header().Get("x-amzn-RequestId"))
			json.NewEncoder(w).Encode(map[string]any{"Handshakes": []any{}, "NextToken": fmt.Sprintf("%s%d:%s", pad, n+1, token)})
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// TestHangingOperationEndsThePropertyAtOnce: against a target that never
// answers, the input property's first call times out, and that is the
// check's verdict: no answer. It must end the property there, not be a
// failing example rapid shrinks, trying variants that each meet the same
// timeout or, once the operation is not called again, fail at once, until
// the shrink time runs out (such a run allocated over 400 MiB, and peaked
// at 200 MiB resident).
func TestHangingOperationEndsThePropertyAtOnce(t *testing.T) {
	ref := reftarget.New(reftarget.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	restoreRapid(t)
	require.NoError(t, check.ConfigureRapid(8, 12, 0))
	require.NoError(t, check.ConfigureShrinking(30*time.Second))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	rep := check.Execute(context.Background(), tgt, Checks(), check.Options{Filter: regexp.MustCompile(`^property/input/AcceptHandshake$`), Prepare: fixture.Discover})
	runtime.ReadMemStats(&after)
	t.Logf("allocated %d MiB in %s", (after.TotalAlloc-before.TotalAlloc)>>20, time.Since(start))
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	require.Equal(t, check.Fail, r.Status)
	require.Contains(t, r.Observed, "AcceptHandshake: timeout after 100ms")
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "no shrinking: a few MiB")
	require.Less(t, time.Since(start), 15*time.Second, "the property ended at its verdict, without shrinking for the 30 s shrink time")
}

// counterexample renders a result's counterexample: the steps' first
// lines, then the replay script.
func counterexample(r check.Result) string {
	if r.Counterexample == nil {
		return "(no counterexample)"
	}
	var b strings.Builder
	for _, s := range r.Counterexample.Steps {
		line, _, _ := strings.Cut(s, "\n")
		b.WriteString(line + "\n")
	}
	return b.String() + r.Counterexample.Replay + "\n" + r.Counterexample.Command
}

// restoreRapid puts rapid's flags back after the test, so that the tests
// that call rapid.Check themselves run as configured.
func restoreRapid(t *testing.T) {
	saved := map[string]string{}
	for _, name := range []string{"rapid.checks", "rapid.steps", "rapid.seed", "rapid.shrinktime"} {
		if f := flag.Lookup(name); f != nil {
			saved[name] = f.Value.String()
		}
	}
	t.Cleanup(func() {
		for name, v := range saved {
			_ = flag.Set(name, v)
		}
	})
}

// TestPropertiesOnPartialTargets: on targets that lack operations or make
// organizations implicitly, the properties use what there is and still
// pass (or are unsupported when they lack what they cannot do without).
func TestPropertiesOnPartialTargets(t *testing.T) {
	for _, c := range []struct {
		name string
		opts reftarget.Options
	}{
		{"implicit organizations", reftarget.Options{ImplicitOrganizations: true}},
		{"no reads, no all-features", reftarget.Options{Without: []string{"DescribeHandshake", "ListHandshakesForOrganization", "EnableAllFeatures", "DescribeOrganization"}}},
		{"no accept", reftarget.Options{Without: []string{"AcceptHandshake"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := runProperties(t, reftarget.New(c.opts), "^property/(lifecycle|linearizable|input/DescribeHandshake)$", 5, 15, 3)
			for _, r := range rep.Results {
				switch {
				case slices.Contains(c.opts.Without, r.Operation), c.name == "no accept" && r.Operation == "":
					require.Equal(t, check.Unsupported, r.Status, "%s: %s", r.ID, r.Observed)
				default:
					require.Equal(t, check.Pass, r.Status, "%s: %s\n%s", r.ID, r.Observed, counterexample(r))
				}
			}
		})
	}
}
