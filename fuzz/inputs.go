package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/inputgen"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/schemas"
)

// validSafe lists the operations whose generated valid requests InputProperty
// sends, and why that cannot change the target's state. Every other
// operation (CreateOrganization, InviteAccountToOrganization,
// EnableAllFeatures, RemoveAccountFromOrganization, LeaveOrganization,
// DeleteOrganization) gets only broken requests, which must be refused.
var validSafe = map[string]string{
	"DescribeHandshake":             "reads only",
	"DescribeOrganization":          "reads only",
	"ListAccounts":                  "reads only",
	"ListHandshakesForAccount":      "reads only",
	"ListHandshakesForOrganization": "reads only",
	"AcceptHandshake":               "the generated HandshakeId names no handshake of the caller (ids are drawn from 36^8 or more)",
	"DeclineHandshake":              "the generated HandshakeId names no handshake of the caller",
	"CancelHandshake":               "the generated HandshakeId names no handshake of the caller",
}

// undo reverts what a wrongly accepted broken request of a state-changing
// operation did, best effort, so that a failing run leaves no organization
// or invitation behind.
var undo = map[string]func(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, r *endpoint.Response){
	"CreateOrganization": func(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, _ *endpoint.Response) {
		tgt.Raw(ctx, p, "DeleteOrganization", []byte("{}"))
	},
	"InviteAccountToOrganization": func(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, r *endpoint.Response) {
		var out struct{ Handshake struct{ Id string } }
		if json.Unmarshal(r.Body, &out) == nil && out.Handshake.Id != "" {
			body, _ := json.Marshal(map[string]string{"HandshakeId": out.Handshake.Id})
			tgt.Raw(ctx, p, "CancelHandshake", body)
		}
	},
}

// InputProperty returns a rapid property that sends op requests generated
// from its request schema (package inputgen) as p and judges each answer:
//
//   - a request that breaks a constraint must get the documented answer
//     (InvalidInputException with a matching Reason, SerializationException
//     for a wrong JSON type); one with only an unknown member must get what
//     the same request without it gets (the valid request is sent too, for
//     operations whose valid requests change nothing: Describe*, List*, and
//     Accept/Decline/CancelHandshake, whose generated ids name no handshake);
//   - a valid request (sent only for those operations; the others, such as
//     CreateOrganization and InviteAccountToOrganization, get only broken
//     requests) must not be refused as undeserializable or as breaking a
//     constraint;
//   - every error must be documented for op (or an accepted common error),
//     with the status specs gives it and a body its error schema accepts;
//     every success must match op's response schema.
//
// Throttled answers are retried twice; an answer still throttled fails (no
// verdict). A failure names the operation, the constraint, the body, what
// was expected and what was observed.
func InputProperty(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, op string) func(*rapid.T) {
	return inputSends(ctx, tgt, p, op, func(_ string, body []byte) *endpoint.Response { return send(ctx, tgt, p, op, body) })
}

// inputSends is the input property with its requests sent by call (which
// records them, in a check), described by what.
func inputSends(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, op string, call func(what string, body []byte) *endpoint.Response) func(*rapid.T) {
	o, err := inputgen.For(op)
	if err != nil {
		return func(t *rapid.T) { t.Fatalf("%v", err) }
	}
	_, safe := validSafe[op]
	broken := o.Broken().Filter(func(c inputgen.Case) bool {
		return safe || !c.Expect.SameAsValid
	})
	return func(t *rapid.T) {
		if safe && rapid.IntRange(0, 3).Draw(t, "valid request") == 0 {
			body := o.Valid().Draw(t, "body")
			r := call(op+": a valid request", body)
			if err := judgeValid(op, r); err != nil {
				t.Fatalf("%s: valid request\n  body: %s\n  expected: %s\n  observed: %s", op, clip(body), "an answer a valid request may get", err)
			}
			return
		}
		c := broken.Draw(t, "case")
		r := call(fmt.Sprintf("%s: %s", op, c.Constraint), c.Body)
		if r.OK() {
			if f, ok := undo[op]; ok && !c.Expect.SameAsValid {
				f(ctx, tgt, p, r)
			}
		}
		if err := judge(op, r, c.Expect); err != nil {
			t.Fatalf("%s: %s\n  body: %s\n  expected: %s\n  observed: %s", op, c.Constraint, clip(c.Body), c.Expect, err)
		}
		if !c.Expect.SameAsValid || c.Expect.Allows(r.Code, r.Reason) || !safe {
			return
		}
		// The answer should be the valid request's: send it and compare.
		v := call(op+": the same request without what breaks it", c.Valid)
		if !sameAnswer(r, v) {
			t.Fatalf("%s: %s\n  body: %s\n  expected: the answer the valid request %s gets: %s\n  observed: %s", op, c.Constraint, clip(c.Body), clip(c.Valid), v.Summary(), r.Summary())
		}
	}
}

// retries is how often a throttled call is retried, with backoff.
const retries = 2

// send sends body to op as p, retrying throttled answers.
func send(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, op string, body []byte) *endpoint.Response {
	r := tgt.Raw(ctx, p, op, body)
	for i := range retries {
		if !throttled(r) {
			break
		}
		select {
		case <-ctx.Done():
			return r
		case <-time.After(time.Duration(200<<i) * time.Millisecond):
		}
		r = tgt.Raw(ctx, p, op, body)
	}
	return r
}

// throttled reports whether r refused the call for its rate.
func throttled(r *endpoint.Response) bool {
	return r.Kind == endpoint.KindError && (r.Code == "TooManyRequestsException" || slices.Contains(contract.CommonErrorsFor("throttle"), r.Code))
}

// judge returns why r is not an answer e allows, or nil. An answer e
// allows as the valid request's is judged as a valid request's answer.
func judge(op string, r *endpoint.Response, e inputgen.Expect) error {
	if err := wellFormed(op, r); err != nil {
		return err
	}
	if r.Kind == endpoint.KindError && e.Allows(r.Code, r.Reason) {
		return nil
	}
	if e.SameAsValid {
		return judgeValid(op, r)
	}
	if r.OK() {
		return fmt.Errorf("success (HTTP %d): the broken request was accepted", r.Status)
	}
	return fmt.Errorf("%s", r.Summary())
}

// judgeValid returns why r is not an answer a valid request of op may get:
// a refusal as undeserializable or as breaking a schema constraint is not.
func judgeValid(op string, r *endpoint.Response) error {
	if err := wellFormed(op, r); err != nil {
		return err
	}
	if r.Kind != endpoint.KindError {
		return nil
	}
	deserialize, err := inputgen.DeserializeErrors()
	if err != nil {
		return err
	}
	reasons, err := inputgen.ConstraintReasons()
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(deserialize, r.Code):
		return fmt.Errorf("%s: a valid request refused as undeserializable", r.Summary())
	case r.Code == "InvalidInputException" && slices.Contains(reasons, r.Reason):
		return fmt.Errorf("%s: a valid request refused as breaking a constraint", r.Summary())
	case throttled(r):
		return fmt.Errorf("%s: throttled on every attempt, no verdict", r.Summary())
	}
	return nil
}

// wellFormed returns why r is not a classified, documented answer of op
// that matches its schema: a success must match op's response schema; an
// error must be documented for op (or an accepted common error), carry a
// status specs gives it, match its error schema, and be a server fault only
// as the documented ServiceException.
func wellFormed(op string, r *endpoint.Response) error {
	switch r.Kind {
	case endpoint.KindSuccess:
		if err := schemas.ValidateResponse(op, r.Body); err != nil {
			return fmt.Errorf("success whose body does not match the response schema: %s", text.OneLine(err.Error()))
		}
		return nil
	case endpoint.KindError:
	default:
		return fmt.Errorf("an unclassified answer: %s", r.Summary())
	}
	spec, _ := contract.Operation(op)
	if !documented(spec.ErrorNames(), r.Code) {
		return fmt.Errorf("%s: not documented for %s", r.Summary(), op)
	}
	if r.Status >= 500 && r.Code != "ServiceException" {
		return fmt.Errorf("%s: a server fault other than the documented ServiceException", r.Summary())
	}
	if want := statuses(r.Code); len(want) > 0 && !slices.Contains(want, r.Status) {
		return fmt.Errorf("%s: HTTP %d, specs gives %s %v", r.Summary(), r.Status, r.Code, want)
	}
	if err := schemas.ValidateError(r.Code, check.WithType(r.Body, r.Code)); err != nil {
		return fmt.Errorf("%s: the error body does not match its schema: %s", r.Summary(), text.OneLine(err.Error()))
	}
	return nil
}

// acceptedCommon are the categories of common errors (specs/errors.json
// acceptedWhere) any request body may meet: unreadable input, throttling,
// internal failure.
var acceptedCommon = []string{"deserialize", "throttle", "internal"}

// documented reports whether code is one of errs or an accepted common
// error.
func documented(errs []string, code string) bool {
	if slices.Contains(errs, code) {
		return true
	}
	for _, cat := range acceptedCommon {
		if slices.Contains(contract.CommonErrorsFor(cat), code) {
			return true
		}
	}
	return false
}

// statuses returns the HTTP statuses specs gives an error code.
func statuses(code string) []int {
	if e, ok := contract.Error(code); ok {
		return e.Statuses()
	}
	if e, ok := contract.CommonError(code); ok {
		return []int{e.HTTPStatus}
	}
	return nil
}

// sameAnswer reports whether two answers agree: both successes, or the same
// error code and reason.
func sameAnswer(a, b *endpoint.Response) bool {
	return a.Kind == b.Kind && a.Code == b.Code && a.Reason == b.Reason
}

// clip shortens a body for a failure message, on one line and without
// control characters.
func clip(b []byte) string {
	if len(b) == 0 {
		return "<empty body>"
	}
	return text.Visible(text.Cut(string(b), 300), "")
}
