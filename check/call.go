package check

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

// Call sends op with in (JSON-encoded; nil sends {}) through the raw
// signed path, as p. common lists the common-error categories the call
// accepts besides the operation's documented exceptions (for the run-wide
// error checks).
func (t *T) Call(p endpoint.Principal, op string, in any, common ...string) *endpoint.Response {
	body := []byte("{}")
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Failf(nil, "a request body", "cannot encode %s input: %v", op, err)
		}
		body = b
	}
	return t.Send(p, op, body, common...)
}

// Send sends body verbatim as op's input, as p.
func (t *T) Send(p endpoint.Principal, op string, body []byte, common ...string) *endpoint.Response {
	return t.Do(op, common, func(ctx context.Context) *endpoint.Response { return t.run.tgt.Raw(ctx, p, op, body) })
}

// SDK runs fn with p's aws-sdk-go-v2 client as one call of op.
func (t *T) SDK(p endpoint.Principal, op string, fn func(ctx context.Context, c *organizations.Client) error) *endpoint.Response {
	return t.Do(op, nil, func(ctx context.Context) *endpoint.Response { return t.run.tgt.SDK(ctx, p, op, fn) })
}

// Do makes one call of op with send. An operation that has timed out
// maxTimeouts times in the run is not called again: the check fails at
// once, so a target that hangs costs a few timeouts, not one per check. A
// throttled call (which took no effect) is tried again, attempts times in
// all with a short backoff; other answers, internal failures included, are
// final, since a call that failed inside the service may have taken effect.
func (t *T) Do(op string, common []string, send func(ctx context.Context) *endpoint.Response) *endpoint.Response {
	var r *endpoint.Response
	start := time.Now()
	for i := 0; ; i++ {
		t.guard(op)
		t.run.space(t.ctx, op)
		r = send(t.ctx)
		t.observe(r, common)
		t.mu.Lock()
		if t.tries == nil || len(t.tries) >= maxTries {
			// Only recent answers are judged; a property sends thousands,
			// whose bodies the map would otherwise keep alive.
			t.tries = map[*endpoint.Response]int{}
		}
		t.tries[r] = i + 1
		t.mu.Unlock()
		pause, again := t.again(r, i, start)
		if !again {
			return r
		}
		select {
		case <-t.ctx.Done():
			return r
		case <-time.After(pause):
		}
	}
}

// again says whether to send a call again after answer r of attempt i
// (from 0), and after what pause: a throttled call up to attempts times, a
// call answered with a Wait until its Max has passed since start.
func (t *T) again(r *endpoint.Response, i int, start time.Time) (time.Duration, bool) {
	if w, ok := t.run.waitFor(r); ok {
		pause := waitPause(i)
		return pause, time.Since(start)+pause <= w.Max
	}
	if r.Kind == endpoint.KindError && oracle.Throttled(r.Code) && i+1 < attempts {
		return throttlePause(i), true
	}
	return 0, false
}

// maxTries bounds how many answers' attempt counts a check keeps.
const maxTries = 64

// waitPause is the pause after attempt i (from 0) of a call answered with
// a Wait: 1, 2, 4 … seconds, at most 30.
func waitPause(i int) time.Duration {
	return min(time.Duration(1<<min(i, 6))*time.Second, 30*time.Second)
}

// throttlePause is the pause after throttled attempt i (from 0): 250 ms,
// then 1 s.
func throttlePause(i int) time.Duration {
	return time.Duration((i+1)*(i+1)) * 250 * time.Millisecond
}

// attempts is how often Do tries a throttled call.
const attempts = 3

// maxTimeouts is how often an operation may time out before the run stops
// calling it.
const maxTimeouts = 2

// guard fails the check at once when op has timed out too often.
func (t *T) guard(op string) {
	if n := t.run.timeouts(op, false); n >= maxTimeouts {
		t.Failf(nil, op+" answers within the timeout", "%s timed out %d times earlier in this run; not called again", op, n)
	}
}

// observe records r: as evidence, against the timeout budget, in the
// capabilities, and for the run-wide error checks.
func (t *T) observe(r *endpoint.Response, common []string) {
	t.record(r)
	if r.Kind == endpoint.KindTimeout && t.ctx.Err() == nil {
		t.run.timeouts(r.Op, true)
	}
	t.run.learn(r)
	t.run.observe(t.check.ID, r, common)
}

// Answer is r as the oracle judges it; on success, the State of the
// handshake it carries, if any.
func Answer(r *endpoint.Response) oracle.Answer {
	a := oracle.Answer{Success: r.OK(), Status: r.Status, Summary: r.Summary()}
	if r.Kind == endpoint.KindError {
		a.Code, a.Reason = r.Code, r.Reason
	}
	if a.Success {
		if h, err := oracle.DecodeHandshake(r.Body); err == nil {
			a.State = h.State
		}
	}
	return a
}

// Expect ends the check unless r is an answer e allows. An answer e
// accepts passes before anything else is asked, so a check expecting
// UnknownOperationException can pass; then an answer that shows the
// operation is not implemented makes the check unsupported (unless the
// operation answered as implemented before: then it fails), a timeout or
// a lost connection fails, and so does any other answer.
func (t *T) Expect(r *endpoint.Response, e oracle.Expectation) {
	v := oracle.Judge(e, Answer(r))
	if v.Pass {
		return
	}
	t.result.Source = e.Source
	t.unanswered(r)
	t.waitedOut(r)
	if v.Inconclusive {
		v.Observed = t.inconclusive(r)
	}
	t.verdict(Fail, "", v.Expected, v.Observed)
}

// inconclusive explains an answer that leaves the check without a verdict.
func (t *T) inconclusive(r *endpoint.Response) string {
	if oracle.Throttled(r.Code) {
		t.mu.Lock()
		n := t.tries[r]
		t.mu.Unlock()
		return fmt.Sprintf("%s: throttled on all %d attempts, so the check could not reach a verdict", r.Summary(), n)
	}
	return r.Summary() + ": an internal failure, so the check could not reach a verdict"
}

// Require checks that a step the scenario builds on succeeded, and returns
// r. A target that does not implement the step's operation blocks the
// check (unsupported); any other failure fails it.
func (t *T) Require(r *endpoint.Response, what string) *endpoint.Response {
	if r.OK() {
		return r
	}
	t.unanswered(r)
	t.waitedOut(r)
	if r.Kind == endpoint.KindError && oracle.Transient(r.Code) {
		t.Failf(r, what+" succeeds", "setup step %s: %s", what, t.inconclusive(r))
	}
	t.Failf(r, what+" succeeds", "setup step %s: %s", what, r.Summary())
	return r
}

// unanswered ends the check when r is no answer at all: the operation is
// not implemented (unsupported, or a failure if it answered as implemented
// before), the call timed out, the connection was lost, or the answer was
// too large to read.
func (t *T) unanswered(r *endpoint.Response) {
	if evidence, ok := t.NotImplemented(r); ok {
		t.Blockedf(r.Op+" not implemented", "%s", evidence)
	}
	t.NoAnswer(r)
	if r.TooLarge() {
		t.Failf(r, "an answer within the read limit", "%s: %s", r.Op, r.Summary())
	}
}

// NoAnswer ends the check, failed, when r is no answer at all: the call
// timed out, or the connection was refused or lost. In a property this is
// the check's verdict, not a failing example for rapid to shrink.
func (t *T) NoAnswer(r *endpoint.Response) {
	switch r.Kind {
	case endpoint.KindTimeout, endpoint.KindRefused, endpoint.KindTransport:
		t.Failf(r, "a response", "%s: %s", r.Op, r.Summary())
	}
}

// Unanswered ends the check when r is no answer at all (see Expect), and
// returns otherwise: for checks that judge an answer themselves.
func (t *T) Unanswered(r *endpoint.Response) { t.unanswered(r) }

// Decode decodes r's JSON body into v or fails the check.
func (t *T) Decode(r *endpoint.Response, v any) {
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Failf(r, "a JSON body of the documented shape", "%s: %v", r.Op, err)
	}
}

// Handshake decodes the {"Handshake": {...}} body of r or fails the check.
func (t *T) Handshake(r *endpoint.Response) oracle.Handshake {
	h, err := oracle.DecodeHandshake(r.Body)
	if err != nil {
		t.Failf(r, "a body with a Handshake member", "%s: %v", r.Op, err)
	}
	return h
}

// DoAll makes the calls of op at once (for concurrency checks), without
// retries, and returns their answers in order. The timeout budget is
// checked before any is sent; the answers are recorded afterwards, in
// order, on the check's own goroutine.
func (t *T) DoAll(op string, sends ...func(ctx context.Context) *endpoint.Response) []*endpoint.Response {
	t.guard(op)
	out := make([]*endpoint.Response, len(sends))
	var wg sync.WaitGroup
	for i, send := range sends {
		wg.Go(func() { out[i] = send(t.ctx) })
	}
	wg.Wait()
	for _, r := range out {
		t.observe(r, nil)
	}
	return out
}

// waitedOut fails the check, saying so, when r is an answer the run waited
// out in vain (a new organization still finalizing).
func (t *T) waitedOut(r *endpoint.Response) {
	if w, ok := t.run.waitFor(r); ok {
		t.Failf(r, r.Op+" answers once "+w.Code+" has passed", "%s: still the answer after waiting %s; try again later, or allow a longer wait", r.Summary(), w.Max)
	}
}
