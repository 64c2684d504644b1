package contract

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/schemas"
)

// acceptChecks are the AcceptHandshake success scenarios: the response, the
// typed SDK view of it, and the side effects of joining.
func acceptChecks() []Check {
	needs := []string{"CreateOrganization", "InviteAccountToOrganization", "AcceptHandshake"}
	mk := func(id string, extra []string, run func(*T)) Check {
		return Check{ID: "accept/success/" + id, Group: "accept", Operation: "AcceptHandshake", Needs: append(slices.Clone(needs), extra...), run: run}
	}
	return []Check{
		mk("response", nil, (*T).acceptResponse),
		mk("schema", nil, (*T).acceptSchema),
		mk("expiry-15-days", nil, (*T).acceptExpiry),
		mk("sdk", nil, (*T).acceptSDK),
		mk("describe-organization", []string{"DescribeOrganization"}, (*T).acceptJoinsOrganization),
		mk("list-accounts", []string{"ListAccounts"}, (*T).acceptListsAccount),
		mk("describe-handshake", []string{"DescribeHandshake"}, (*T).acceptDescribes),
		mk("list-handshakes-for-account", []string{"ListHandshakesForAccount"}, (*T).acceptListsForAccount),
		mk("list-handshakes-for-organization", []string{"ListHandshakesForOrganization"}, (*T).acceptListsForOrganization),
		mk("concurrent", nil, (*T).acceptConcurrently),
	}
}

// accepted is an invitation that the recipient has just accepted.
type accepted struct {
	org       *org
	recipient endpoint.Principal
	invite    handshake
	resp      *endpoint.Response
}

// acceptInvite invites a fresh account to a fresh organization and has it
// accept over the raw path; the account is removed after the check.
func (t *T) acceptInvite() accepted {
	o := t.newOrg("ALL")
	rec := t.tgt.Mint(roleRecipient)
	h := t.invite(o, rec)
	r := t.call(rec, "AcceptHandshake", map[string]string{"HandshakeId": h.Id})
	t.unsupportedIf(r)
	if r.OK() {
		t.leaveLater(o, rec)
	}
	if !r.OK() {
		t.Failf(r, "HTTP 200 with the accepted handshake", "%s", r.Summary())
	}
	return accepted{org: o, recipient: rec, invite: h, resp: r}
}

func (t *T) acceptResponse() {
	a := t.acceptInvite()
	h := t.handshakeOf(a.resp)
	var bad []string
	if h.Id != a.invite.Id {
		bad = append(bad, fmt.Sprintf("Id %q, not the requested %q", h.Id, a.invite.Id))
	}
	bad = append(bad, wellFormed(h)...)
	if h.State != "ACCEPTED" {
		bad = append(bad, fmt.Sprintf("State %q, not ACCEPTED", h.State))
	}
	if h.Action != "INVITE" {
		bad = append(bad, fmt.Sprintf("Action %q, not INVITE", h.Action))
	}
	if !h.hasParty(a.org.id, "ORGANIZATION") {
		bad = append(bad, fmt.Sprintf("Parties %v lack the organization %s", h.Parties, a.org.id))
	}
	if !h.hasParty(a.recipient.AccountID, "ACCOUNT") {
		bad = append(bad, fmt.Sprintf("Parties %v lack the invited account %s", h.Parties, a.recipient.AccountID))
	}
	if res, ok := h.resource("ORGANIZATION"); !ok || res.Value != a.org.id {
		bad = append(bad, fmt.Sprintf("Resources lack ORGANIZATION %s", a.org.id))
	}
	if res, ok := h.resource("ACCOUNT"); !ok || res.Value != a.recipient.AccountID {
		bad = append(bad, fmt.Sprintf("Resources lack ACCOUNT %s", a.recipient.AccountID))
	}
	if len(bad) > 0 {
		t.Failf(a.resp, "the accepted INVITE handshake, consistent with the invitation", "%s", lines(bad...))
	}
}

func (t *T) acceptSchema() {
	a := t.acceptInvite()
	if err := schemas.ValidateResponse("AcceptHandshake", a.resp.Body); err != nil {
		t.Failf(a.resp, "a body valid against schemas/AcceptHandshake response schema", "%v", err)
	}
}

func (t *T) acceptExpiry() {
	a := t.acceptInvite()
	h := t.handshakeOf(a.resp)
	req, ok1 := timestamp(h.RequestedTimestamp)
	exp, ok2 := timestamp(h.ExpirationTimestamp)
	if !ok1 || !ok2 {
		t.Failf(a.resp, "numeric timestamps", "RequestedTimestamp %s, ExpirationTimestamp %s", h.RequestedTimestamp, h.ExpirationTimestamp)
	}
	want := float64(contract.Lifecycle.ExpiresAfterSeconds)
	if math.Abs(exp-req-want) > 3600 {
		t.Failf(a.resp, fmt.Sprintf("ExpirationTimestamp %.0f s (15 days) after RequestedTimestamp, within an hour", want), "%.3f s after", exp-req)
	}
}

func (t *T) acceptSDK() {
	o := t.newOrg("ALL")
	rec := t.tgt.Mint(roleRecipient)
	inv := t.invite(o, rec)
	var out *organizations.AcceptHandshakeOutput
	r := t.retry("AcceptHandshake", nil, func() *endpoint.Response {
		return t.tgt.SDK(t.ctx, rec, "AcceptHandshake", func(ctx context.Context, c *organizations.Client) error {
			var err error
			out, err = c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: &inv.Id})
			return err
		})
	})
	t.unsupportedIf(r)
	if !r.OK() || out == nil || out.Handshake == nil {
		t.Failf(r, "the SDK decodes an AcceptHandshakeOutput with a Handshake", "%s", r.Summary())
	}
	t.leaveLater(o, rec)
	h := out.Handshake
	var bad []string
	if deref(h.Id) != inv.Id {
		bad = append(bad, fmt.Sprintf("Id %q", deref(h.Id)))
	}
	if h.State != types.HandshakeStateAccepted {
		bad = append(bad, fmt.Sprintf("State %q", h.State))
	}
	if h.Action != types.ActionTypeInviteAccountToOrganization {
		bad = append(bad, fmt.Sprintf("Action %q", h.Action))
	}
	if h.RequestedTimestamp == nil || h.ExpirationTimestamp == nil || !h.RequestedTimestamp.Before(*h.ExpirationTimestamp) {
		bad = append(bad, "timestamps missing or out of order")
	}
	if !arnPattern.MatchString(deref(h.Arn)) {
		bad = append(bad, fmt.Sprintf("Arn %q", deref(h.Arn)))
	}
	if len(bad) > 0 {
		t.Failf(r, "typed output: the requested Id, ACCEPTED, INVITE, valid Arn, ordered timestamps", "%s", lines(bad...))
	}
}

func (t *T) acceptJoinsOrganization() {
	a := t.acceptInvite()
	r := t.setup(t.call(a.recipient, "DescribeOrganization", nil), "DescribeOrganization")
	var out struct {
		Organization struct{ Id, MasterAccountId string }
	}
	t.decodeJSON(r, &out)
	if out.Organization.Id != a.org.id || out.Organization.MasterAccountId != a.org.mgmt.AccountID {
		t.Failf(r, fmt.Sprintf("the new member sees organization %s managed by %s", a.org.id, a.org.mgmt.AccountID),
			"organization %q managed by %q", out.Organization.Id, out.Organization.MasterAccountId)
	}
}

func (t *T) acceptListsAccount() {
	a := t.acceptInvite()
	r := t.setup(t.call(a.org.mgmt, "ListAccounts", nil), "ListAccounts")
	var out struct {
		Accounts []struct{ Id, JoinedMethod string }
	}
	t.decodeJSON(r, &out)
	for _, acc := range out.Accounts {
		if acc.Id == a.recipient.AccountID {
			if acc.JoinedMethod != "" && acc.JoinedMethod != "INVITED" {
				t.Failf(r, "JoinedMethod INVITED", "JoinedMethod %q", acc.JoinedMethod)
			}
			return
		}
	}
	t.Failf(r, fmt.Sprintf("ListAccounts of %s includes %s", a.org.id, a.recipient.AccountID), "%d accounts, not that one", len(out.Accounts))
}

func (t *T) acceptDescribes() {
	a := t.acceptInvite()
	for _, p := range []endpoint.Principal{a.recipient, a.org.mgmt} {
		if h := t.describe(p, a.invite.Id); h.State != "ACCEPTED" {
			t.Failf(t.last, "DescribeHandshake shows ACCEPTED to recipient and sender", "account %s sees %s", p.AccountID, h.State)
		}
	}
}

func (t *T) acceptListsForAccount() {
	a := t.acceptInvite()
	t.expectListed(a.recipient, "ListHandshakesForAccount", a.invite.Id)
}

func (t *T) acceptListsForOrganization() {
	a := t.acceptInvite()
	t.expectListed(a.org.mgmt, "ListHandshakesForOrganization", a.invite.Id)
}

// expectListed pages through op as p and fails unless id is listed ACCEPTED.
func (t *T) expectListed(p endpoint.Principal, op, id string) {
	in := map[string]any{}
	for page := 0; page < 50; page++ {
		r := t.setup(t.call(p, op, in), op)
		list, next := t.handshakeListOf(r)
		for _, h := range list {
			if h.Id == id {
				if h.State != "ACCEPTED" {
					t.Failf(r, op+" lists the handshake ACCEPTED", "listed %s", h.State)
				}
				return
			}
		}
		if next == "" {
			t.Failf(r, fmt.Sprintf("%s lists %s", op, id), "not listed (%d handshakes on the last page)", len(list))
		}
		in["NextToken"] = next
	}
	t.Failf(t.last, op+" ends within 50 pages", "NextToken still set after 50 pages")
}

// acceptConcurrently sends two accepts of one invitation at once: exactly
// one must succeed; the other must see the handshake already accepted (or a
// concurrent modification).
func (t *T) acceptConcurrently() {
	o := t.newOrg("ALL")
	rec := t.tgt.Mint(roleRecipient)
	h := t.invite(o, rec)
	t.leaveLater(o, rec)
	t.guard("AcceptHandshake")
	var wg sync.WaitGroup
	rs := make([]*endpoint.Response, 2)
	for i := range rs {
		wg.Go(func() { rs[i] = t.tgt.Raw(t.ctx, rec, "AcceptHandshake", []byte(`{"HandshakeId":"`+h.Id+`"}`)) })
	}
	wg.Wait()
	for _, r := range rs {
		t.counted(t.note(r, nil))
		t.unsupportedIf(r)
	}
	ok := 0
	for _, r := range rs {
		if r.OK() {
			ok++
		}
	}
	if ok != 1 {
		t.Failf(rs[1], "exactly one of two simultaneous accepts succeeds", "%d succeeded: %s | %s", ok, rs[0].Summary(), rs[1].Summary())
	}
	loser := rs[0]
	if loser.OK() {
		loser = rs[1]
	}
	t.judgeError(loser, expectation{Codes: codes("HandshakeAlreadyInStateException", "ConcurrentModificationException")})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
