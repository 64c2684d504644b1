package check

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

// T is what a running check sees: the target, the run's shared state, the
// check's principals and evidence, and the verdict being built. A check
// stops at its first Failf, Skipf or Blockedf; reaching its end passes.
type T struct {
	ctx   context.Context
	run   *Session
	check Check

	mu        sync.Mutex // guards evidence, notes and requests (SDK calls may run concurrently)
	result    Result
	evidence  []evidence // this check's exchanges, numbered
	last      *endpoint.Response
	clean     []cleanup
	example   *[]cleanup // the cleanups of a property's current example
	tries     map[*endpoint.Response]int
	leased    map[string][]endpoint.Principal
	next      map[string]int // role → principals handed out
	requests  int
	scratch   map[any]any
	hints     []string // notes kept only if the check fails
	verdictAt bool
}

// stop unwinds a check after its verdict is set.
type stop struct{}

// Context is the check's context: canceled when the run is interrupted.
func (t *T) Context() context.Context { return t.ctx }

// Target is the endpoint under test.
func (t *T) Target() *endpoint.Target { return t.run.tgt }

// Session is the run the check belongs to.
func (t *T) Session() *Session { return t.run }

// ID is the check's id.
func (t *T) ID() string { return t.check.ID }

// Principal returns the next principal of role for this check: a fresh
// minted account, or the next leased account of a target file. A check
// asking for more than its Needs declared fails (with fixed principals;
// minted ones are simply minted).
func (t *T) Principal(role string) endpoint.Principal {
	t.mu.Lock()
	i := t.next[role]
	t.next[role] = i + 1
	t.mu.Unlock()
	if !t.run.principals.fixed() {
		return t.run.tgt.MintFor(fmt.Sprintf("%s/%s/%d", t.check.ID, role, i), role)
	}
	if ps := t.leased[role]; i < len(ps) {
		return ps[i]
	}
	t.Failf(nil, fmt.Sprintf("at most %d %s principal(s), as the check declares", len(t.leased[role]), role),
		"the check asked for %s principal number %d (a bug in the check's Needs)", role, i+1)
	return endpoint.Principal{}
}

// Fixed reports whether the principals are fixed accounts (a target file)
// rather than minted ones: fixed accounts keep their history and may
// already belong to an organization.
func (t *T) Fixed() bool { return t.run.principals.fixed() }

// Scratch returns the check's value for key, creating it with mk: state a
// fixture keeps for the length of one check.
func (t *T) Scratch(key any, mk func() any) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.scratch == nil {
		t.scratch = map[any]any{}
	}
	v, ok := t.scratch[key]
	if !ok {
		v = mk()
		t.scratch[key] = v
	}
	return v
}

// Failf ends the check as failed. r, if not nil, is the answer the failure
// is about (the evidence shows every exchange of the check either way).
func (t *T) Failf(r *endpoint.Response, expected, observedFormat string, args ...any) {
	t.verdict(Fail, "", expected, fmt.Sprintf(observedFormat, args...))
}

// Fail ends the check as failed with an oracle verdict.
func (t *T) Fail(v oracle.Verdict, source string) {
	t.result.Source = source
	t.verdict(Fail, "", v.Expected, v.Observed)
}

// Skipf ends the check as skipped with a reason; the reason's first clause
// (before ": ") groups skipped checks in reports.
func (t *T) Skipf(format string, args ...any) {
	why := fmt.Sprintf(format, args...)
	cause, _, _ := strings.Cut(why, ": ")
	t.verdict(Skip, cause, "", why)
}

// SkipCause ends the check as skipped, grouped under cause.
func (t *T) SkipCause(cause, format string, args ...any) {
	t.verdict(Skip, cause, "", fmt.Sprintf(format, args...))
}

// Blockedf ends the check as unsupported: no way to what it needs exists on
// this target. cause names what is missing ("DescribeHandshake not
// implemented"); the rest is the evidence.
func (t *T) Blockedf(cause, format string, args ...any) {
	t.verdict(Unsupported, cause, "", cause+": "+fmt.Sprintf(format, args...))
}

// Source sets the citation of the expectation being judged.
func (t *T) Source(s string) { t.result.Source = s }

// Notef records an observation that is not a failure (e.g. an output
// member the contract does not know); it appears in reports.
func (t *T) Notef(format string, args ...any) {
	n := t.run.tgt.Redact(fmt.Sprintf(format, args...))
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, old := range t.result.Notes {
		if old == n {
			return
		}
	}
	t.result.Notes = append(t.result.Notes, n)
}

// HintOnFailure records a note that appears only if the check fails: what
// a reader should know to tell a fault of the target from a mistake of the
// setup (e.g. that an invitation went to an email the target file gave).
func (t *T) HintOnFailure(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hints = append(t.hints, t.run.tgt.Redact(fmt.Sprintf(format, args...)))
}

// verdict sets the result and unwinds the check; every text passes
// through the target's redaction, since a target may echo credentials.
func (t *T) verdict(s Status, cause, expected, observed string) {
	t.mu.Lock()
	t.result.Status, t.result.Cause = s, cause
	t.result.Expected, t.result.Observed = t.run.tgt.Redact(expected), t.run.tgt.Redact(observed)
	if s == Fail || s == Unsupported {
		t.result.Exchange = t.run.tgt.Redact(joinEvidence(t.evidence))
	}
	if s == Fail {
		for _, h := range t.hints {
			if !slices.Contains(t.result.Notes, h) {
				t.result.Notes = append(t.result.Notes, h)
			}
		}
	}
	t.verdictAt = true
	t.mu.Unlock()
	panic(stop{})
}

// maxEvidence bounds the evidence a check keeps: the last exchanges, each
// transcript already capped by endpoint.Exchange.String.
const (
	maxEvidenceItems = 24
	maxEvidenceBytes = 96 << 10
)

// record adds r's exchange to the evidence.
func (t *T) record(r *endpoint.Response) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = r
	t.requests++
	n := t.requests
	e := evidence{n: n, op: r.Op, ex: r.Exchange}
	if r.Exchange == nil {
		e.text = fmt.Sprintf("#%d %s: %s\n", n, r.Op, r.Summary())
	}
	t.evidence = append(t.evidence, e)
	if n := len(t.evidence); n > maxEvidenceItems {
		// The first and the last ones, moved in place: a long check (a
		// property) makes thousands of calls.
		copy(t.evidence[1:], t.evidence[n-maxEvidenceItems+1:])
		clear(t.evidence[maxEvidenceItems:])
		t.evidence = t.evidence[:maxEvidenceItems]
	}
}

// evidence is one exchange of the check, written out only when a verdict
// shows it (most checks pass, and their transcripts were never read), or
// a transcript the check attached.
type evidence struct {
	n    int
	op   string
	ex   *endpoint.Exchange // already redacted and capped
	text string             // when there is no exchange
}

func (e evidence) String() string {
	if e.ex == nil {
		return e.text
	}
	return fmt.Sprintf("#%d %s\n%s", e.n, e.op, e.ex.String())
}

// joinEvidence numbers and joins the transcripts, dropping the oldest
// bodies first when they exceed maxEvidenceBytes.
func joinEvidence(items []evidence) string {
	ev := make([]string, len(items))
	total := 0
	for i, e := range items {
		ev[i] = e.String()
		total += len(ev[i]) + 1
	}
	out := make([]string, 0, len(ev))
	for i, e := range ev {
		if total > maxEvidenceBytes && i < len(ev)-1 {
			head, _, _ := strings.Cut(e, "\n")
			total -= len(e) - len(head)
			e = head + " (transcript dropped to keep the report small)"
		}
		out = append(out, e)
	}
	return strings.Join(out, "\n")
}

// cleanup is one undo step registered by a fixture.
type cleanup struct {
	what string
	fn   func(ctx context.Context) error
}

// Cleanup registers fn to run after the check (inside a property, after
// the current example), last registered first, even when the check failed
// or the run was interrupted. A failed cleanup is
// reported in the run's cleanup failures; it never changes the verdict.
func (t *T) Cleanup(what string, fn func(ctx context.Context) error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.example != nil {
		*t.example = append(*t.example, cleanup{what, fn})
		return
	}
	t.clean = append(t.clean, cleanup{what, fn})
}

// NotImplemented reports whether r shows that the target does not
// implement r.Op, recording it in the capabilities, with the evidence. An
// operation that answered as implemented before fails the check instead:
// a crash is not an unimplemented operation.
func (t *T) NotImplemented(r *endpoint.Response) (string, bool) {
	ok, evidence := r.Unsupported()
	if !ok {
		return "", false
	}
	if c := t.run.caps.Of(r.Op); c.Status == Implemented {
		t.Failf(r, r.Op+" answers as the implemented operation it showed itself to be ("+c.Evidence+")",
			"%s answered %s", r.Op, evidence)
	}
	t.run.caps.learn(r.Op, NotImplemented, evidence)
	return evidence, true
}

// Attach adds a transcript the check did not make itself (e.g. an answer
// another check provoked) to its evidence.
func (t *T) Attach(transcript string) {
	if transcript == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.evidence = append(t.evidence, evidence{text: transcript})
}
