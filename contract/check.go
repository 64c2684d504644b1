package contract

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orgconform/orgconform/endpoint"
)

// Status is the verdict of one check.
type Status string

// The verdicts a check can reach.
const (
	Pass        Status = "pass"
	Fail        Status = "fail"
	Skip        Status = "skip"
	Unsupported Status = "unsupported"
)

// Check is one named contract scenario.
type Check struct {
	// ID is stable across releases; --run selects checks by it.
	ID string
	// Group is the scenario family (accept, transition, input, ...), used
	// for progress output.
	Group string
	// Operation is the API operation under test.
	Operation string
	// Needs lists operations the check cannot do without; when one of them
	// is already known to be unsupported the check is not attempted.
	Needs []string
	run   func(*T)
}

// Result is the outcome of one check.
type Result struct {
	ID        string        `json:"id"`
	Group     string        `json:"-"`
	Operation string        `json:"operation"`
	Status    Status        `json:"status"`
	Expected  string        `json:"expected"`
	Observed  string        `json:"observed"`
	Exchange  string        `json:"exchange"`
	Rerun     string        `json:"rerun"`
	Duration  time.Duration `json:"-"`
}

// T is what a running check sees: the target, the run's shared state, and
// the verdict being built. A check stops at its first Fail, Skip or
// Unsupported; reaching its end passes.
type T struct {
	ctx    context.Context
	tgt    *endpoint.Target
	run    *runState
	check  Check
	result Result
	last   *endpoint.Response
	clean  []cleanup
	tries  map[*endpoint.Response]int // attempts behind a response (retry)
}

// stop unwinds a check after its verdict is set.
type stop struct{}

// Failf ends the check as failed. r, if not nil, is the exchange shown as
// evidence.
func (t *T) Failf(r *endpoint.Response, expected, observedFormat string, args ...any) {
	t.verdict(Fail, r, expected, fmt.Sprintf(observedFormat, args...))
}

// Skipf ends the check as skipped with a reason.
func (t *T) Skipf(format string, args ...any) {
	t.verdict(Skip, nil, "", fmt.Sprintf(format, args...))
}

// Unsupportedf ends the check as unsupported: the target evidently does not
// implement something it needs.
func (t *T) Unsupportedf(r *endpoint.Response, format string, args ...any) {
	t.verdict(Unsupported, r, "", fmt.Sprintf(format, args...))
}

// verdict sets the result; every text in it passes through the target's
// redaction, since a target may echo credentials in what it sends.
func (t *T) verdict(s Status, r *endpoint.Response, expected, observed string) {
	t.result.Status, t.result.Expected, t.result.Observed = s, t.tgt.Redact(expected), t.tgt.Redact(observed)
	if r == nil {
		r = t.last
	}
	if r != nil && r.Exchange != nil && s != Skip {
		t.result.Exchange = t.tgt.Redact(r.Exchange.String())
	}
	panic(stop{})
}

// note records r as the latest evidence and keeps it for the run-wide
// checks; common lists the common-error categories the call accepts.
func (t *T) note(r *endpoint.Response, common []string) *endpoint.Response {
	t.last = r
	t.run.observe(observed{check: t.check.ID, resp: r, common: common})
	return r
}

// setup checks that a fixture step succeeded: an unsupported operation makes
// the check unsupported, any other failure fails it (the target broke a part
// of the contract the scenario builds on).
func (t *T) setup(r *endpoint.Response, what string) *endpoint.Response {
	if r.OK() {
		return r
	}
	t.unsupportedIf(r)
	t.Failf(r, what+" succeeds", "setup step %s: %s", what, r.Summary())
	return r
}

// unsupportedIf ends the check as unsupported when r shows that the target
// does not implement r.Op, and remembers that for later checks.
func (t *T) unsupportedIf(r *endpoint.Response) {
	if ok, evidence := r.Unsupported(); ok {
		t.run.markUnsupported(r.Op, evidence)
		t.Unsupportedf(r, "%s is not implemented by the target: %s", r.Op, evidence)
	}
	if r.Kind == endpoint.KindTimeout || r.Kind == endpoint.KindRefused || r.Kind == endpoint.KindTransport {
		t.Failf(r, "a response", "%s: %s", r.Op, r.Summary())
	}
}

// lines joins non-empty parts for expected/observed texts.
func lines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}
