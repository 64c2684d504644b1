package check

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/internal/text"
)

// Options tune Execute.
type Options struct {
	// Filter selects checks whose id matches; nil selects all.
	Filter *regexp.Regexp
	// Shard, when N > 0, keeps only the K-th of N deterministic slices of
	// the selected checks (K from 1), so that CI jobs share a campaign;
	// checks marked After run in every shard, and so do the Early ones
	// (the properties). To have each shard try examples of its own, its
	// part of them, configure rapid with ShardSeed and ShardExamples
	// before the run (rapid's settings are process-wide; runner does).
	Shard Shard
	// Parallel is how many checks run at once (default 1); Early checks
	// run beside them when it is more than 1. A target that Prepare finds
	// serving every caller as one account (FlagSharedAccount) gets 1.
	Parallel int
	// Progress, if not nil, receives one line per finished check group.
	Progress io.Writer
	// Rerun builds the hint that reruns one check from its quoted id
	// pattern ("'^id$'"); nil gives "runner --run PATTERN".
	Rerun func(pattern string) string
	// CleanupTimeout bounds the cleanup of one check (default 30s).
	CleanupTimeout time.Duration
	// Deadline, when set, is when the run must end: checks not started a
	// little before it are not run (a Go test's deadline).
	Deadline time.Time
	// Fixed are the principals of a target file, each with its Role; nil
	// mints fresh principals for every check.
	Fixed []endpoint.Principal
	// InvitationBudget, when set, is how many invitations the run may
	// send (live AWS allows 20 a day): checks that would exceed it are
	// left for the next run. nil means no budget.
	InvitationBudget *int
	// Prepare runs once before the checks, e.g. to probe the target's
	// capabilities.
	Prepare func(ctx context.Context, run *Session)
	// Waits are answers that mean "not yet" (a new organization still
	// finalizing): a call answered so is tried again, with a growing pause,
	// for at most Max in all.
	Waits []Wait
	// Spacing, with SpacedOps, is the least time between two calls of
	// those operations in the run (membership changes on live AWS, whose
	// rate limit is not documented).
	Spacing   time.Duration
	SpacedOps []string
}

// Wait is an answer worth waiting out: an error code (and Reason, when
// set) and how long to keep trying.
type Wait struct {
	Code, Reason string
	Max          time.Duration
}

// Shard is the K-th of N slices of a run (K from 1).
type Shard struct{ K, N int }

// ShardSeed is the seed the properties of shard s of a run seeded with
// seed draw their examples from: the run's own in an unsharded run, and
// one per shard otherwise, so that the shards of a run try different
// examples, the same ones every time.
func ShardSeed(seed uint64, s Shard) uint64 {
	if s.N == 0 {
		return seed
	}
	x := seed ^ uint64(s.K)*0x9e3779b97f4a7c15 // splitmix64 of the pair
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// ShardExamples is how many examples each of N shards tries of a
// property configured for examples in all: an equal part, rounded up.
func ShardExamples(examples int, s Shard) int {
	if s.N == 0 {
		return examples
	}
	return (examples + s.N - 1) / s.N
}

// String is "K/N", or "" for no sharding.
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Report is the outcome of a run.
type Report struct {
	Target   string
	Seed     int64
	Shard    string
	Duration time.Duration
	// Requests is every request sent in the run (probes and cleanups too).
	Requests int
	Results  []Result
	// Cleanup lists cleanup steps that failed: the target may keep state
	// (organizations, memberships, open handshakes) the run created.
	Cleanup      []string
	Capabilities []OpCapability
	Flags        []Flag
	// Interrupted says the run was stopped (a signal, or its deadline)
	// before every check finished; those not reached are NotRun.
	Interrupted bool
	// PeakRSS is the process's peak resident memory, in bytes, when the
	// run ended (0 where the system does not say).
	PeakRSS int64
}

// Summary counts results by status; Ran is every check that was not NotRun.
type Summary struct {
	Ran, Passed, Failed, Skipped, Unsupported, NotRun int
}

// Summary counts the report's results by status.
func (r *Report) Summary() Summary {
	var s Summary
	counts := map[Status]*int{Pass: &s.Passed, Fail: &s.Failed, Skip: &s.Skipped, Unsupported: &s.Unsupported, NotRun: &s.NotRun}
	for _, res := range r.Results {
		if n := counts[res.Status]; n != nil {
			*n++
		}
	}
	s.Ran = len(r.Results) - s.NotRun
	return s
}

// Select returns the checks matching filter and shard, in order: a shard
// keeps every N-th written check, and every run-wide (After) check and
// property (Early) check, which each shard runs in its own way.
func Select(checks []Check, filter *regexp.Regexp, shard Shard) []Check {
	var out []Check
	i := 0
	for _, c := range checks {
		if filter != nil && !filter.MatchString(c.ID) {
			continue
		}
		if shard.N > 0 && !c.After && !c.Early {
			keep := i%shard.N == shard.K-1
			i++
			if !keep {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// Session is one run's shared state: the target, its capabilities, the
// principals, the timeout budget, what the run-wide checks judge, and
// cleanup failures.
type Session struct {
	tgt        *endpoint.Target
	opts       Options
	caps       *Capabilities
	principals *principals
	obs        *observations

	spaceMu    sync.Mutex
	lastSpaced time.Time

	mu          sync.Mutex
	timedOut    map[string]int
	cleanupErrs []string
	shared      map[any]any
	atEnd       []cleanup
}

// Shared returns the run's value for key, creating it with mk: state that
// fixtures keep across checks (e.g. the organization a fixed management
// account manages). mk runs under the run's lock; keep it cheap.
func (rs *Session) Shared(key any, mk func() any) any {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.shared == nil {
		rs.shared = map[any]any{}
	}
	v, ok := rs.shared[key]
	if !ok {
		v = mk()
		rs.shared[key] = v
	}
	return v
}

// AtEnd registers fn to run once every check has finished (last
// registered first), e.g. to delete an organization that several checks
// shared. A failure is reported in the run's cleanup failures.
func (rs *Session) AtEnd(what string, fn func(ctx context.Context) error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.atEnd = append(rs.atEnd, cleanup{what, fn})
}

// runAtEnd runs the AtEnd cleanups.
func (rs *Session) runAtEnd(ctx context.Context) {
	rs.mu.Lock()
	clean := rs.atEnd
	rs.atEnd = nil
	rs.mu.Unlock()
	for i := len(clean) - 1; i >= 0; i-- {
		c := clean[i]
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rs.opts.CleanupTimeout)
		err := safely(func() error { return c.fn(cctx) })
		cancel()
		if err != nil {
			rs.mu.Lock()
			rs.cleanupErrs = append(rs.cleanupErrs, fmt.Sprintf("end of run: %s: %s", c.what, text.Cut(text.OneLine(err.Error()), 300)))
			rs.mu.Unlock()
		}
	}
}

func newRun(tgt *endpoint.Target, opts Options) *Session {
	if opts.CleanupTimeout == 0 {
		opts.CleanupTimeout = 30 * time.Second
	}
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	return &Session{tgt: tgt, opts: opts, caps: NewCapabilities(), principals: newPrincipals(tgt, opts.Fixed),
		obs: newObservations(), timedOut: map[string]int{}}
}

// Target is the run's endpoint.
func (rs *Session) Target() *endpoint.Target { return rs.tgt }

// Caps is what the run knows of the target's capabilities.
func (rs *Session) Caps() *Capabilities { return rs.caps }

// Fixed reports whether the run's principals are a target file's fixed
// accounts.
func (rs *Session) Fixed() bool { return rs.principals.fixed() }

// FixedPrincipal returns the i-th fixed principal of role, if any.
func (rs *Session) FixedPrincipal(role string, i int) (endpoint.Principal, bool) {
	if ps := rs.principals.pools[role]; i < len(ps) {
		return ps[i], true
	}
	return endpoint.Principal{}, false
}

// timeouts returns how often op timed out in this run, counting one more
// first when add is set.
func (rs *Session) timeouts(op string, add bool) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if add {
		rs.timedOut[op]++
	}
	return rs.timedOut[op]
}

// learn records what r shows of its operation: any answer with a status
// and a readable body that does not say "not implemented" shows it is
// implemented.
func (rs *Session) learn(r *endpoint.Response) {
	if r.Kind != endpoint.KindSuccess && r.Kind != endpoint.KindError {
		return
	}
	if ok, _ := r.Unsupported(); ok {
		return
	}
	rs.caps.learn(r.Op, Implemented, r.Summary())
}

// Execute runs the checks selected by opts against tgt and reports. Checks
// run opts.Parallel at a time; those marked After run once the others have
// finished. The report lists results in the order of checks, whatever the
// parallelism. Canceling ctx stops the run: checks not finished are NotRun
// and the report says it was interrupted; cleanups still run.
func Execute(ctx context.Context, tgt *endpoint.Target, checks []Check, opts Options) *Report {
	start := time.Now()
	rs := newRun(tgt, opts)
	rep := &Report{Target: tgt.Endpoint(), Seed: tgt.Seed(), Shard: opts.Shard.String()}
	sel := Select(checks, opts.Filter, opts.Shard)
	results := make([]Result, len(sel))
	done := make([]bool, len(sel))
	planned := rs.plan(sel, results, done)
	if opts.Prepare != nil && ctx.Err() == nil {
		opts.Prepare(ctx, rs)
	}
	if f, _ := rs.caps.Flag(FlagSharedAccount); f.On && rs.opts.Parallel > 1 {
		// Every scenario's accounts are one account on this target:
		// concurrent scenarios would change each other's organization.
		rs.opts.Parallel = 1
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "%s: %s\n", FlagSharedAccount, f.Evidence)
		}
	}
	prog := newProgress(opts.Progress, sel)
	for _, i := range planned {
		prog.done(i, results[i])
	}
	var first, after []int
	for i, c := range sel {
		if done[i] {
			continue
		}
		if c.After {
			after = append(after, i)
		} else {
			first = append(first, i)
		}
	}
	// Early checks (properties: long sequences of calls, one at a time)
	// get lanes of their own beside the pool when checks run in parallel,
	// so that they neither wait for the many short checks nor take their
	// places; a serial run keeps the list's order.
	var lanes sync.WaitGroup
	if rs.opts.Parallel > 1 {
		var rest []int
		for _, i := range first {
			if !sel[i].Early {
				rest = append(rest, i)
				continue
			}
			lanes.Go(func() {
				results[i] = rs.execute(ctx, sel[i])
				prog.done(i, results[i])
			})
		}
		first = rest
	}
	rs.pool(ctx, first, func(i int) {
		results[i] = rs.execute(ctx, sel[i])
		prog.done(i, results[i])
	})
	lanes.Wait()
	rs.pool(ctx, after, func(i int) {
		results[i] = rs.execute(ctx, sel[i])
		prog.done(i, results[i])
	})
	rs.runAtEnd(ctx)
	rep.Results = results
	rep.Duration = time.Since(start)
	rep.Requests = tgt.Requests()
	rep.Cleanup = rs.cleanupFailures()
	rep.Capabilities, rep.Flags = rs.caps.List(), rs.caps.Flags()
	rep.PeakRSS = peakRSS()
	for _, r := range results {
		if r.Status == NotRun {
			rep.Interrupted = true
		}
	}
	return rep
}

// plan gives a verdict before the run to checks the principals cannot
// serve and to those beyond the invitation budget, and returns their
// indices.
func (rs *Session) plan(sel []Check, results []Result, done []bool) []int {
	var out []int
	budget := -1
	if rs.opts.InvitationBudget != nil {
		budget = *rs.opts.InvitationBudget
	}
	for i, c := range sel {
		res := rs.resultOf(c)
		switch why := rs.principals.canServe(c.Needs.Principals); {
		case why != "":
			res.Status, res.Cause, res.Observed = Skip, "the target file cannot serve it", why
		case budget >= 0 && c.Needs.Invitations > budget:
			res.Status, res.Cause = Skip, "left for the next run (invitation budget)"
			res.Observed = fmt.Sprintf("the check sends %d invitation(s) and %d remain of today's budget; run it again tomorrow", c.Needs.Invitations, budget)
		default:
			if budget >= 0 {
				budget -= c.Needs.Invitations
			}
			continue
		}
		results[i], done[i] = res, true
		out = append(out, i)
	}
	return out
}

// pool runs fn for each index, opts.Parallel at a time; indices not
// started before ctx ends or the deadline nears are run as NotRun by fn's
// caller (execute checks ctx first).
func (rs *Session) pool(ctx context.Context, idx []int, fn func(int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(rs.opts.Parallel, max(len(idx), 1)) {
		wg.Go(func() {
			for i := range work {
				fn(i)
			}
		})
	}
	for _, i := range idx {
		work <- i
	}
	close(work)
	wg.Wait()
}

// deadlineMargin is how long before the deadline no check is started.
const deadlineMargin = 10 * time.Second

func (rs *Session) resultOf(c Check) Result {
	return Result{ID: c.ID, Group: c.Group, Operation: c.Operation, Status: Pass, Rerun: rs.rerun(c.ID)}
}

// rerun is the hint that reruns check id alone.
func (rs *Session) rerun(id string) string {
	pattern := text.ShellQuote("^" + regexp.QuoteMeta(id) + "$")
	if rs.opts.Rerun != nil {
		return rs.opts.Rerun(pattern)
	}
	return "runner --run " + pattern
}

// execute runs one check to its verdict, then its cleanups.
func (rs *Session) execute(ctx context.Context, c Check) (res Result) {
	start := time.Now()
	res = rs.resultOf(c)
	notRun := func(why string) Result {
		res.Status, res.Cause, res.Observed = NotRun, "run interrupted", why
		return res
	}
	switch {
	case ctx.Err() != nil:
		return notRun("the run was interrupted before this check")
	case !rs.opts.Deadline.IsZero() && time.Until(rs.opts.Deadline) < deadlineMargin:
		return notRun("the run's deadline came before this check")
	}
	for _, op := range c.Needs.Ops {
		if oc := rs.caps.Of(op); oc.Status == NotImplemented {
			res.Status, res.Cause = Unsupported, op+" not implemented"
			res.Observed = op + " not implemented: " + oc.Evidence
			return res
		}
	}
	leased, release, err := rs.principals.lease(ctx, c.Needs.Principals)
	if err != nil {
		if ctx.Err() != nil {
			return notRun("the run was interrupted before this check")
		}
		res.Status, res.Cause, res.Observed = Skip, "the target file cannot serve it", err.Error()
		return res
	}
	defer release()
	t := &T{ctx: ctx, run: rs, check: c, result: res, leased: leased, next: map[string]int{}}
	defer func() {
		t.runCleanups()
		t.result.Duration = time.Since(start)
		t.result.Requests = t.requests
		res = t.result
		if ctx.Err() != nil && res.Status != Pass && res.Status != Skip {
			res.Status, res.Cause, res.Expected = NotRun, "run interrupted", ""
			res.Observed = "the run was interrupted during this check: " + res.Observed
		}
	}()
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
		c.Run(t)
	}()
	return res
}

// runCleanups runs the check's cleanups, last registered first.
func (t *T) runCleanups() {
	t.mu.Lock()
	clean := t.clean
	t.clean = nil
	t.mu.Unlock()
	t.runCleanupList(clean)
}

// runCleanupList runs clean, last first, each under CleanupTimeout.
func (t *T) runCleanupList(clean []cleanup) {
	for i := len(clean) - 1; i >= 0; i-- {
		c := clean[i]
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), t.run.opts.CleanupTimeout)
		err := safely(func() error { return c.fn(ctx) })
		cancel()
		if err != nil {
			t.run.mu.Lock()
			t.run.cleanupErrs = append(t.run.cleanupErrs, fmt.Sprintf("%s: %s: %s", t.check.ID, c.what, text.Cut(text.OneLine(err.Error()), 300)))
			t.run.mu.Unlock()
		}
	}
}

func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cleanup stopped: %v", p)
		}
	}()
	return fn()
}

func (rs *Session) cleanupFailures() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := slices.Clone(rs.cleanupErrs)
	sort.Strings(out)
	return out
}

// progress prints one line per check group once all its checks are done,
// groups in the order they first appear.
type progress struct {
	w      io.Writer
	mu     sync.Mutex
	groups []string
	left   map[string]int
	counts map[string]map[Status]int
	start  time.Time
	next   int
}

func newProgress(w io.Writer, sel []Check) *progress {
	p := &progress{w: w, left: map[string]int{}, counts: map[string]map[Status]int{}, start: time.Now()}
	for _, c := range sel {
		if _, ok := p.left[c.Group]; !ok {
			p.groups = append(p.groups, c.Group)
			p.counts[c.Group] = map[Status]int{}
		}
		p.left[c.Group]++
	}
	return p
}

func (p *progress) done(_ int, r Result) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.left[r.Group]--
	p.counts[r.Group][r.Status]++
	for p.next < len(p.groups) && p.left[p.groups[p.next]] == 0 {
		g := p.groups[p.next]
		c := p.counts[g]
		n := 0
		for _, k := range c {
			n += k
		}
		line := fmt.Sprintf("%-12s %4d checks: %d pass, %d fail, %d skip, %d unsupported", g, n, c[Pass], c[Fail], c[Skip], c[Unsupported])
		if c[NotRun] > 0 {
			line += fmt.Sprintf(", %d not run", c[NotRun])
		}
		fmt.Fprintf(p.w, "%s (%s)\n", line, time.Since(p.start).Round(time.Millisecond))
		p.next++
	}
}

// Undo is a cleanup call as p: success, or one of the tolerated error
// codes, is fine; anything else is returned as an error for the run's
// cleanup failures. An operation that timed out too often is not called.
func (t *T) Undo(ctx context.Context, p endpoint.Principal, op string, body []byte, tolerated ...string) error {
	t.mu.Lock()
	t.requests++
	t.mu.Unlock()
	return t.run.Undo(ctx, p, op, body, tolerated...)
}

// Undo is T.Undo for cleanups that belong to the run (AtEnd).
func (rs *Session) Undo(ctx context.Context, p endpoint.Principal, op string, body []byte, tolerated ...string) error {
	if n := rs.timeouts(op, false); n >= maxTimeouts {
		return fmt.Errorf("%s not attempted: it timed out %d times earlier in this run", op, n)
	}
	rs.space(ctx, op)
	r := rs.tgt.Raw(ctx, p, op, body)
	if r.Kind == endpoint.KindTimeout {
		rs.timeouts(op, true)
	}
	if r.OK() || (r.Kind == endpoint.KindError && slices.Contains(tolerated, r.Code)) {
		return nil
	}
	return &UndoError{Op: op, Code: r.Code, msg: fmt.Sprintf("%s as %s: %s", op, p.AccountID, strings.TrimSpace(r.Summary()))}
}

// UndoError is a cleanup call that neither succeeded nor got a tolerated
// refusal. Code is the error code of the answer ("" when there was no
// error answer: a timeout, a transport failure), so that a cleanup can
// decide what to do next.
type UndoError struct {
	Op, Code string
	msg      string
}

func (e *UndoError) Error() string { return e.msg }

// space waits, for a spaced operation, until Spacing has passed since the
// last spaced call of the run.
func (rs *Session) space(ctx context.Context, op string) {
	if rs.opts.Spacing <= 0 || !slices.Contains(rs.opts.SpacedOps, op) {
		return
	}
	rs.spaceMu.Lock()
	defer rs.spaceMu.Unlock()
	if wait := time.Until(rs.lastSpaced.Add(rs.opts.Spacing)); wait > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	rs.lastSpaced = time.Now()
}

// waitFor returns the Wait that r's answer calls for, if any.
func (rs *Session) waitFor(r *endpoint.Response) (Wait, bool) {
	if r.Kind != endpoint.KindError {
		return Wait{}, false
	}
	for _, w := range rs.opts.Waits {
		if w.Code == r.Code && (w.Reason == "" || w.Reason == r.Reason) {
			return w, true
		}
	}
	return Wait{}, false
}
