package check

import (
	"context"
	"testing"
	"time"

	"github.com/orgconform/orgconform/endpoint"
)

// Run executes checks from a Go test or benchmark and reports each through
// tb: as a subtest per check when tb is a *testing.T (a failed or
// unsupported check is a test error, a skipped one a skip), otherwise as
// log lines and errors — a skipped check never ends the whole run, since
// Skip on a benchmark or a rapid.T stops the caller. The test's deadline
// bounds the run (checks not reached are reported as not run).
func Run(tb testing.TB, tgt *endpoint.Target, checks []Check, opts Options) *Report {
	tb.Helper()
	if d, ok := deadline(tb); ok && opts.Deadline.IsZero() {
		opts.Deadline = d
	}
	rep := Execute(context.Background(), tgt, checks, opts)
	for _, res := range rep.Results {
		report := func(tb testing.TB, skip bool) {
			tb.Helper()
			switch res.Status {
			case Fail, Unsupported:
				tb.Errorf("%s %s\nexpected: %s\nobserved: %s\nsource: %s\nrerun: %s\n%s", res.ID, res.Status, res.Expected, res.Observed, res.Source, res.Rerun, res.Exchange)
			case Skip, NotRun:
				if skip {
					tb.Skipf("%s: %s", res.ID, res.Observed)
				}
				tb.Logf("%s %s: %s", res.ID, res.Status, res.Observed)
			}
		}
		if t, ok := tb.(*testing.T); ok {
			t.Run(res.ID, func(t *testing.T) { report(t, true) })
		} else {
			report(tb, false)
		}
	}
	for _, f := range rep.Cleanup {
		tb.Errorf("cleanup failed: %s", f)
	}
	return rep
}

// deadline is tb's deadline when it has one (a *testing.T run with
// -timeout).
func deadline(tb testing.TB) (time.Time, bool) {
	if t, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		return t.Deadline()
	}
	return time.Time{}, false
}
