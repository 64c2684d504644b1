package contract

import (
	"context"
	"fmt"
	"github.com/orgconform/orgconform/internal/text"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgconform/orgconform/endpoint"
)

// Options tune Execute.
type Options struct {
	// Run selects checks whose id matches; nil runs all.
	Run *regexp.Regexp
	// Progress, if not nil, receives one line per finished check group.
	Progress io.Writer
	// Rerun is the command line prefix shown in each result's rerun hint,
	// e.g. "go run ./cmd/runner --endpoint http://127.0.0.1:4566", to which
	// "--run '^id$'" is added.
	Rerun string
	// rerunf, when set, builds the whole hint from the quoted pattern.
	rerunf func(pattern string) string
	// CleanupTimeout bounds the cleanup of one check (default 30s).
	CleanupTimeout time.Duration
}

// Report is the outcome of a run.
type Report struct {
	Target   string
	Seed     int64
	Duration time.Duration
	Requests int
	Results  []Result
	// Cleanup lists cleanup steps that failed: the target may keep state
	// (organizations, memberships, open handshakes) the run created.
	Cleanup []string
}

// Summary counts results by status.
type Summary struct {
	Passed, Failed, Skipped, Unsupported int
}

// Summary counts the report's results by status.
func (r *Report) Summary() Summary {
	var s Summary
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case Skip:
			s.Skipped++
		case Unsupported:
			s.Unsupported++
		}
	}
	return s
}

// Execute runs the selected checks against tgt, in order, and reports.
// Canceling ctx stops the run after the current check; cleanup still runs.
func Execute(ctx context.Context, tgt *endpoint.Target, opts Options) *Report {
	start := time.Now()
	rs := newRunState(tgt, opts)
	rep := &Report{Target: tgt.Endpoint(), Seed: tgt.Seed()}
	checks := selected(opts.Run)
	groupStart, done := time.Now(), 0
	for i, c := range checks {
		if ctx.Err() != nil {
			rep.Results = append(rep.Results, interrupted(c, opts))
		} else {
			rep.Results = append(rep.Results, rs.execute(ctx, c))
		}
		done++
		if opts.Progress != nil && (i == len(checks)-1 || checks[i+1].Group != c.Group) {
			progressLine(opts.Progress, c.Group, rep.Results[len(rep.Results)-done:], time.Since(groupStart))
			groupStart, done = time.Now(), 0
		}
	}
	rep.Duration = time.Since(start)
	rep.Requests = tgt.Requests()
	rep.Cleanup = rs.cleanupFailures()
	return rep
}

// Run runs every check from a Go test against tgt: one subtest per check
// when tb is a *testing.T, otherwise each check reports through tb in turn.
// A failed or unsupported check is a test error; a skipped one a skip.
//
// The environment variable ORGCONFORM_RUN, when set, is a regular
// expression selecting checks by id, as the runner's --run.
func Run(tb testing.TB, tgt *endpoint.Target) {
	tb.Helper()
	var re *regexp.Regexp
	if pattern := os.Getenv("ORGCONFORM_RUN"); pattern != "" {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			tb.Fatalf("ORGCONFORM_RUN: %v", err)
		}
	}
	test, _, _ := strings.Cut(tb.Name(), "/")
	env := ""
	if e := os.Getenv("ORGCONFORM_ENDPOINT"); e != "" {
		env = "ORGCONFORM_ENDPOINT=" + text.ShellQuote(e) + " "
	}
	rs := newRunState(tgt, Options{rerunf: func(pattern string) string {
		return fmt.Sprintf("%sORGCONFORM_RUN=%s go test -run %s .", env, pattern, text.ShellQuote("^"+test+"$"))
	}})
	ctx := context.Background()
	for _, c := range selected(re) {
		report := func(tb testing.TB) {
			tb.Helper()
			res := rs.execute(ctx, c)
			switch res.Status {
			case Fail, Unsupported:
				tb.Errorf("%s %s\nexpected: %s\nobserved: %s\nrerun: %s\n%s", res.ID, res.Status, res.Expected, res.Observed, res.Rerun, res.Exchange)
			case Skip:
				tb.Skipf("%s: %s", res.ID, res.Observed)
			}
		}
		if t, ok := tb.(*testing.T); ok {
			t.Run(c.ID, func(t *testing.T) { report(t) })
		} else {
			report(tb)
		}
	}
	for _, f := range rs.cleanupFailures() {
		tb.Errorf("cleanup failed: %s", f)
	}
}

func selected(re *regexp.Regexp) []Check {
	var out []Check
	for _, c := range Checks() {
		if re == nil || re.MatchString(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

func interrupted(c Check, opts Options) Result {
	return Result{ID: c.ID, Group: c.Group, Operation: c.Operation, Status: Skip,
		Observed: "run interrupted before this check", Rerun: rerun(opts, c.ID)}
}

func rerun(opts Options, id string) string {
	prefix := opts.Rerun
	if prefix == "" {
		prefix = "go run ./cmd/runner"
	}
	pattern := text.ShellQuote("^" + regexp.QuoteMeta(id) + "$")
	if opts.rerunf != nil {
		return opts.rerunf(pattern)
	}
	return prefix + " --run " + pattern
}

func progressLine(w io.Writer, group string, results []Result, d time.Duration) {
	counts := map[Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	fmt.Fprintf(w, "%-12s %4d checks: %d pass, %d fail, %d skip, %d unsupported (%s)\n",
		group, len(results), counts[Pass], counts[Fail], counts[Skip], counts[Unsupported], d.Round(time.Millisecond))
}

// runState is what checks of one run share: operations found unsupported,
// the target's capabilities, every response seen, and cleanup failures.
type runState struct {
	tgt  *endpoint.Target
	opts Options

	mu          sync.Mutex
	unsupported map[string]string // op → evidence
	timedOut    map[string]int    // op → timeouts so far
	seen        []observed
	cleanupErrs []string

	clockOnce sync.Once
	clockWhy  string // why the target has no clock control; "" when it has
}

// clockless probes the target's clock control once per run and returns
// why it is unusable, or "".
func (rs *runState) clockless(ctx context.Context) string {
	rs.clockOnce.Do(func() {
		_, ok, err := rs.tgt.Clock(ctx, "") // a read: the checks move only their own organizations' clocks
		if err != nil || !ok {
			rs.clockWhy = orNone(err)
		}
	})
	return rs.clockWhy
}

type observed struct {
	check  string
	resp   *endpoint.Response
	common []string // common-error categories the call accepts
}

func newRunState(tgt *endpoint.Target, opts Options) *runState {
	if opts.CleanupTimeout == 0 {
		opts.CleanupTimeout = 30 * time.Second
	}
	return &runState{tgt: tgt, opts: opts, unsupported: map[string]string{}, timedOut: map[string]int{}}
}

func (rs *runState) markUnsupported(op, evidence string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if _, ok := rs.unsupported[op]; !ok {
		rs.unsupported[op] = evidence
	}
}

func (rs *runState) unsupportedOp(ops []string) (string, string, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, op := range ops {
		if ev, ok := rs.unsupported[op]; ok {
			return op, ev, true
		}
	}
	return "", "", false
}

// timeouts returns how often op timed out in this run, counting one more
// first when add is set.
func (rs *runState) timeouts(op string, add bool) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if add {
		rs.timedOut[op]++
	}
	return rs.timedOut[op]
}

func (rs *runState) observe(o observed) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.seen = append(rs.seen, o)
}

func (rs *runState) observations() []observed {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]observed(nil), rs.seen...)
}

func (rs *runState) cleanupFailures() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := append([]string(nil), rs.cleanupErrs...)
	sort.Strings(out)
	return out
}

// execute runs one check to its verdict, then its cleanups.
func (rs *runState) execute(ctx context.Context, c Check) (res Result) {
	start := time.Now()
	t := &T{ctx: ctx, tgt: rs.tgt, run: rs, check: c, tries: map[*endpoint.Response]int{},
		result: Result{ID: c.ID, Group: c.Group, Operation: c.Operation, Status: Pass, Rerun: rerun(rs.opts, c.ID)}}
	defer func() {
		t.runCleanups()
		t.result.Duration = time.Since(start)
		res = t.result
	}()
	if op, ev, ok := rs.unsupportedOp(c.Needs); ok {
		t.result.Status = Unsupported
		t.result.Observed = fmt.Sprintf("%s is not implemented by the target (seen earlier in this run): %s", op, ev)
		return
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); ok {
					return
				}
				t.result.Status = Fail
				t.result.Expected = "the check runs to a verdict"
				t.result.Observed = fmt.Sprintf("internal error in check: %v", p)
			}
		}()
		c.run(t)
	}()
	if ctx.Err() != nil && t.result.Status == Fail {
		t.result.Status, t.result.Expected = Skip, ""
		t.result.Observed = "run interrupted during this check: " + t.result.Observed
	}
	return
}

// cleanup is one undo step registered by a fixture.
type cleanup struct {
	what string
	fn   func(ctx context.Context) error
}

// Cleanup registers fn to run after the check, last registered first, even
// when the check failed or the run was interrupted.
func (t *T) Cleanup(what string, fn func(ctx context.Context) error) {
	t.clean = append(t.clean, cleanup{what, fn})
}

func (t *T) runCleanups() {
	for i := len(t.clean) - 1; i >= 0; i-- {
		c := t.clean[i]
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), t.run.opts.CleanupTimeout)
		err := safely(func() error { return c.fn(ctx) })
		cancel()
		if err != nil {
			t.run.mu.Lock()
			t.run.cleanupErrs = append(t.run.cleanupErrs, fmt.Sprintf("%s: %s: %v", t.check.ID, c.what, oneLine300(err.Error())))
			t.run.mu.Unlock()
		}
	}
	t.clean = nil
}

func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cleanup stopped: %v", p)
		}
	}()
	return fn()
}

// oneLine300 folds s onto one line and cuts it at 300 characters.
func oneLine300(s string) string { return text.Cut(text.OneLine(s), 300) }
