package contract

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// sdkChecks send refused requests through the aws-sdk-go-v2 client: the
// answer must be right on the wire and decode into the matching typed
// error, with its Reason, as users of the SDK will see it.
func sdkChecks() []check.Check {
	mk := func(id, op string, ops []string, n fixture.Need, invitations int, run func(*check.T)) check.Check {
		return check.Check{ID: "sdk/" + op + "/" + id, Group: "sdk", Operation: op,
			Needs: check.Needs{Ops: append([]string{op}, ops...), Principals: n, Invitations: invitations}, Run: run}
	}
	invite := []string{"InviteAccountToOrganization"}
	return []check.Check{
		mk("already-accepted", "AcceptHandshake", invite, need{fixture.Management: 1, fixture.Recipient: 1}, 1, sdkAcceptTwice),
		mk("invalid-pattern", "AcceptHandshake", nil, need{fixture.Outsider: 1}, 0, func(t *check.T) { sdkBadID(t, "AcceptHandshake") }),
		mk("invalid-pattern", "DeclineHandshake", nil, need{fixture.Outsider: 1}, 0, func(t *check.T) { sdkBadID(t, "DeclineHandshake") }),
		mk("not-found", "AcceptHandshake", nil, need{fixture.Outsider: 1}, 0, sdkNotFound),
		mk("already-in-another-organization", "AcceptHandshake", invite, need{fixture.Management: 2, fixture.Recipient: 1}, 2, sdkAlreadyMember),
		mk("declined-by-sender", "DeclineHandshake", invite, need{fixture.Management: 1, fixture.Recipient: 1}, 1, sdkDeclineBySender),
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
func sdkCall(t *check.T, p endpoint.Principal, op, id string) *endpoint.Response {
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
	return t.SDK(p, op, calls[op])
}

// judgeSDK judges r on the wire, then checks that the SDK decoded it into
// the typed exception of its code, with the same Reason.
func judgeSDK(t *check.T, r *endpoint.Response, e oracle.Expectation) {
	t.Expect(r, e)
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

func sdkAcceptTwice(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	h := fixture.Invite(t, o, rec)
	fixture.LeaveLater(t, o, rec)
	fixture.Act(t, rec, "AcceptHandshake", h.Id)
	e, _ := oracle.Transition("INVITE", "ACCEPTED", "AcceptHandshake", "recipient")
	judgeSDK(t, sdkCall(t, rec, "AcceptHandshake", h.Id), e)
}

func sdkBadID(t *check.T, op string) {
	e := invalid("INVALID_PATTERN")
	e.Source = idSource
	judgeSDK(t, sdkCall(t, t.Principal(fixture.Outsider), op, "h-ABCDEFGH12"), e)
}

func sdkNotFound(t *check.T) {
	e := oracle.Errors("HandshakeNotFoundException")
	e.Source = "reference: HandshakeNotFoundException — we can't find a handshake with the HandshakeId that you specified"
	judgeSDK(t, sdkCall(t, t.Principal(fixture.Outsider), "AcceptHandshake", unknownID()), e)
}

func sdkAlreadyMember(t *check.T) {
	a, b := fixture.Organization(t, fixture.AllFeatures), fixture.Organization(t, fixture.AllFeatures)
	x := t.Principal(fixture.Recipient)
	inv := fixture.Invite(t, a, x)
	fixture.Join(t, b, x)
	r := sdkCall(t, x, "AcceptHandshake", inv.Id)
	if r.OK() {
		fixture.LeaveLater(t, a, x)
	}
	judgeSDK(t, r, oracle.AlreadyMember)
}

func sdkDeclineBySender(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	h := fixture.Invite(t, o, rec)
	e, _ := oracle.Transition("INVITE", h.State, "DeclineHandshake", "sender")
	judgeSDK(t, sdkCall(t, o.Mgmt, "DeclineHandshake", h.Id), e)
}
