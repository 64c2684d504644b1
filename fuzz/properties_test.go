package fuzz

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"regexp"
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
