package contract

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgconform/orgconform/endpoint"
)

// sdkChecks send refused requests through the aws-sdk-go-v2 client: the
// answer must be right on the wire and decode into the matching typed
// error, with its Reason, as users of the SDK will see it.
func sdkChecks() []Check {
	mk := func(id, op string, needs []string, run func(*T)) Check {
		return Check{ID: "sdk/" + op + "/" + id, Group: "sdk", Operation: op,
			Needs: append([]string{"CreateOrganization", op}, needs...), run: run}
	}
	invite := []string{"InviteAccountToOrganization"}
	return []Check{
		mk("already-accepted", "AcceptHandshake", invite, (*T).sdkAcceptTwice),
		mk("invalid-pattern", "AcceptHandshake", nil, func(t *T) { t.sdkBadID("AcceptHandshake") }),
		mk("invalid-pattern", "DeclineHandshake", nil, func(t *T) { t.sdkBadID("DeclineHandshake") }),
		mk("not-found", "AcceptHandshake", nil, (*T).sdkNotFound),
		mk("already-in-another-organization", "AcceptHandshake", invite, (*T).sdkAlreadyMember),
		mk("declined-by-sender", "DeclineHandshake", invite, (*T).sdkDeclineBySender),
	}
}

// typedReason reports whether err is the SDK's typed exception for code,
// and its Reason.
var typedReason = map[string]func(error) (string, bool){
	"HandshakeAlreadyInStateException":       typed[*types.HandshakeAlreadyInStateException](nil),
	"HandshakeNotFoundException":             typed[*types.HandshakeNotFoundException](nil),
	"InvalidHandshakeTransitionException":    typed[*types.InvalidHandshakeTransitionException](nil),
	"AccessDeniedException":                  typed[*types.AccessDeniedException](nil),
	"AWSOrganizationsNotInUseException":      typed[*types.AWSOrganizationsNotInUseException](nil),
	"ConcurrentModificationException":        typed[*types.ConcurrentModificationException](nil),
	"MasterCannotLeaveOrganizationException": typed[*types.MasterCannotLeaveOrganizationException](nil),
	"InvalidInputException":                  typed(func(e *types.InvalidInputException) string { return string(e.Reason) }),
	"HandshakeConstraintViolationException": typed(func(e *types.HandshakeConstraintViolationException) string {
		return string(e.Reason)
	}),
}

func typed[E error](reason func(E) string) func(error) (string, bool) {
	return func(err error) (string, bool) {
		var e E
		if !errors.As(err, &e) {
			return "", false
		}
		if reason == nil {
			return "", true
		}
		return reason(e), true
	}
}

// sdkCall runs one handshake operation through the SDK as p.
func (t *T) sdkCall(p endpoint.Principal, op, id string) *endpoint.Response {
	calls := map[string]func(context.Context, *organizations.Client) error{
		"AcceptHandshake": func(ctx context.Context, c *organizations.Client) error {
			_, err := c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: &id})
			return err
		},
		"DeclineHandshake": func(ctx context.Context, c *organizations.Client) error {
			_, err := c.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: &id})
			return err
		},
	}
	return t.retry(op, nil, func() *endpoint.Response { return t.tgt.SDK(t.ctx, p, op, calls[op]) })
}

// judgeSDK judges r on the wire, then checks that the SDK decoded it into
// the typed exception of its code, with the same Reason.
func (t *T) judgeSDK(r *endpoint.Response, e expectation) {
	t.judgeError(r, e)
	var api smithy.APIError
	if !errors.As(r.Err, &api) || api.ErrorCode() != r.Code {
		t.Failf(r, "the SDK returns an API error with code "+r.Code, "the SDK returned %v", r.Err)
	}
	if check, ok := typedReason[r.Code]; ok {
		reason, ok := check(r.Err)
		if !ok {
			t.Failf(r, fmt.Sprintf("the SDK decodes the typed *types.%s", r.Code), "%T", r.Err)
		}
		if reason != r.Reason {
			t.Failf(r, fmt.Sprintf("the typed error's Reason equals the wire Reason %q", r.Reason), "Reason %q", reason)
		}
	}
}

func (t *T) sdkAcceptTwice() {
	o := t.newOrg("ALL")
	rec := t.tgt.Mint(roleRecipient)
	h := t.invite(o, rec)
	t.leaveLater(o, rec)
	t.act(rec, "AcceptHandshake", h.Id)
	t.judgeSDK(t.sdkCall(rec, "AcceptHandshake", h.Id), expectation{Codes: codes("HandshakeAlreadyInStateException")})
}

func (t *T) sdkBadID(op string) {
	o := t.newOrg("ALL")
	t.judgeSDK(t.sdkCall(o.mgmt, op, "h-ABCDEFGH12"), invalid("INVALID_PATTERN"))
}

func (t *T) sdkNotFound() {
	o := t.newOrg("ALL")
	t.judgeSDK(t.sdkCall(o.mgmt, "AcceptHandshake", "h-"+randomAlnum(16)), expectation{Codes: codes("HandshakeNotFoundException")})
}

func (t *T) sdkAlreadyMember() {
	a, b := t.newOrg("ALL"), t.newOrg("ALL")
	x := t.tgt.Mint(roleRecipient)
	inv := t.invite(a, x)
	t.join(b, x)
	r := t.sdkCall(x, "AcceptHandshake", inv.Id)
	if r.OK() {
		t.leaveLater(a, x)
	}
	t.judgeSDK(r, expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ALREADY_IN_AN_ORGANIZATION"}}})
}

func (t *T) sdkDeclineBySender() {
	o := t.newOrg("ALL")
	rec := t.tgt.Mint(roleRecipient)
	h := t.invite(o, rec)
	row, _ := contract.Transition("INVITE", "OPEN", "DeclineHandshake", "sender")
	t.judgeSDK(t.sdkCall(o.mgmt, "DeclineHandshake", h.Id), expectation{Codes: codes(row.Outcome.Errors...)})
}
