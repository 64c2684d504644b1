package fuzz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/reftarget"
)

// runProperties runs the properties whose id matches filter against h
// with examples and steps, and returns the report.
func runProperties(t *testing.T, h http.Handler, filter string, examples, steps int, seed uint64) *check.Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	require.NoError(t, check.ConfigureRapid(examples, steps, seed))
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
