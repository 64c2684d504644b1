package contract

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/schemas"
)

// acceptChecks are the AcceptHandshake success scenarios: the response, the
// typed SDK view of it, and the side effects of joining.
func acceptChecks() []check.Check {
	mk := func(id string, extra []string, run func(*check.T)) check.Check {
		return check.Check{ID: "accept/success/" + id, Group: "accept", Operation: "AcceptHandshake",
			Needs: check.Needs{Ops: append([]string{"InviteAccountToOrganization", "AcceptHandshake"}, extra...),
				Principals: need{fixture.Management: 1, fixture.Recipient: 1}, Invitations: 1},
			Run: run}
	}
	return []check.Check{
		mk("response", nil, acceptResponse),
		mk("schema", nil, acceptSchema),
		mk("expiry-15-days", nil, acceptExpiry),
		mk("sdk", nil, acceptSDK),
		mk("describe-organization", []string{"DescribeOrganization"}, acceptJoinsOrganization),
		mk("list-accounts", []string{"ListAccounts"}, acceptListsAccount),
		mk("describe-handshake", []string{"DescribeHandshake"}, acceptDescribes),
		mk("list-handshakes-for-account", []string{"ListHandshakesForAccount"}, acceptListsForAccount),
		mk("list-handshakes-for-organization", []string{"ListHandshakesForOrganization"}, acceptListsForOrganization),
		mk("concurrent", nil, acceptConcurrently),
		{ID: "accept/success/concurrent-members", Group: "accept", Operation: "AcceptHandshake",
			Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake", "ListAccounts"},
				Principals: need{fixture.Management: 1, fixture.Recipient: 1, fixture.Member: 1}, Invitations: 2},
			Run: acceptMembersConcurrently},
	}
}

// accepted is an invitation that the recipient has just accepted.
type accepted struct {
	org       *fixture.Org
	recipient endpoint.Principal
	invite    oracle.Handshake
	resp      *endpoint.Response
}

// acceptInvite invites a fresh account to an organization and has it
// accept over the raw path; the account is removed after the check.
func acceptInvite(t *check.T) accepted {
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	h := fixture.Invite(t, o, rec)
	r := t.Call(rec, "AcceptHandshake", map[string]string{"HandshakeId": h.Id})
	t.Unanswered(r)
	if r.OK() {
		fixture.Saw(t, r)
		fixture.LeaveLater(t, o, rec)
	}
	if !r.OK() {
		t.Source(acceptSource)
		t.Failf(r, "HTTP 200 with the accepted handshake", "%s", r.Summary())
	}
	return accepted{org: o, recipient: rec, invite: h, resp: r}
}

// acceptSource cites what an accepted invitation looks like.
const acceptSource = "reference: AcceptHandshake response syntax and sample; an invited account accepts an INVITE handshake"

func acceptResponse(t *check.T) {
	a := acceptInvite(t)
	t.Source(acceptSource)
	h := t.Handshake(a.resp)
	var bad []string
	if h.Id != a.invite.Id {
		bad = append(bad, fmt.Sprintf("Id %q, not the requested %q", h.Id, a.invite.Id))
	}
	bad = append(bad, oracle.Shape(h)...)
	if h.State != "ACCEPTED" {
		bad = append(bad, fmt.Sprintf("State %q, not ACCEPTED", h.State))
	}
	if h.Action != "INVITE" {
		bad = append(bad, fmt.Sprintf("Action %q, not INVITE", h.Action))
	}
	if !h.FromOrganization(a.org.ID) {
		bad = append(bad, fmt.Sprintf("Parties %v lack the organization %s", h.Parties, a.org.ID))
	}
	if !h.HasParty(a.recipient.AccountID, "ACCOUNT") {
		bad = append(bad, fmt.Sprintf("Parties %v lack the invited account %s", h.Parties, a.recipient.AccountID))
	}
	if res, ok := h.Resource("ORGANIZATION"); !ok || res.Value != a.org.ID {
		bad = append(bad, fmt.Sprintf("Resources lack ORGANIZATION %s", a.org.ID))
	}
	if res, ok := h.Resource("ACCOUNT"); !ok || res.Value != a.recipient.AccountID {
		bad = append(bad, fmt.Sprintf("Resources lack ACCOUNT %s", a.recipient.AccountID))
	}
	if len(bad) > 0 {
		t.Failf(a.resp, "the accepted INVITE handshake, consistent with the invitation", "%s", lines(bad...))
	}
	noteUnknownMembers(t, a.resp)
}

func acceptSchema(t *check.T) {
	a := acceptInvite(t)
	t.Source("reference: AcceptHandshake response syntax (schemas/AcceptHandshake/response.schema.json)")
	if err := schemas.ValidateResponse("AcceptHandshake", a.resp.Body); err != nil {
		t.Failf(a.resp, "a body valid against schemas/AcceptHandshake response schema", "%v", err)
	}
}

func acceptExpiry(t *check.T) {
	a := acceptInvite(t)
	t.Source(oracle.Citation(spec.Lifecycle.ExpiresSource, spec.Lifecycle.ExpiresNote))
	h := t.Handshake(a.resp)
	req, ok1 := oracle.Timestamp(h.RequestedTimestamp)
	exp, ok2 := oracle.Timestamp(h.ExpirationTimestamp)
	if !ok1 || !ok2 {
		t.Failf(a.resp, "numeric timestamps", "RequestedTimestamp %s, ExpirationTimestamp %s", h.RequestedTimestamp, h.ExpirationTimestamp)
	}
	want := float64(spec.Lifecycle.ExpiresAfterSeconds)
	if math.Abs(exp-req-want) > 3600 {
		t.Failf(a.resp, fmt.Sprintf("ExpirationTimestamp %.0f s (15 days) after RequestedTimestamp, within an hour", want), "%.3f s after", exp-req)
	}
}

func acceptSDK(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	inv := fixture.Invite(t, o, rec)
	var out *organizations.AcceptHandshakeOutput
	r := t.SDK(rec, "AcceptHandshake", func(ctx context.Context, c *organizations.Client) error {
		var err error
		out, err = c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: &inv.Id})
		return err
	})
	t.Unanswered(r)
	if r.OK() {
		fixture.Saw(t, r)
		fixture.LeaveLater(t, o, rec)
	}
	t.Source(acceptSource)
	if !r.OK() || out == nil || out.Handshake == nil {
		t.Failf(r, "the SDK decodes an AcceptHandshakeOutput with a Handshake", "%s", r.Summary())
	}
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
	if !oracle.ValidArn(deref(h.Arn)) {
		bad = append(bad, fmt.Sprintf("Arn %q", deref(h.Arn)))
	}
	if len(bad) > 0 {
		t.Failf(r, "typed output: the requested Id, ACCEPTED, INVITE, valid Arn, ordered timestamps", "%s", lines(bad...))
	}
}

func acceptJoinsOrganization(t *check.T) {
	a := acceptInvite(t)
	t.Source("reference: accepting an invitation makes the account a member of the organization")
	r := t.Require(t.Call(a.recipient, "DescribeOrganization", nil), "DescribeOrganization")
	var out struct {
		Organization struct{ Id, MasterAccountId string }
	}
	t.Decode(r, &out)
	if out.Organization.Id != a.org.ID || out.Organization.MasterAccountId != a.org.Mgmt.AccountID {
		t.Failf(r, fmt.Sprintf("the new member sees organization %s managed by %s", a.org.ID, a.org.Mgmt.AccountID),
			"organization %q managed by %q", out.Organization.Id, out.Organization.MasterAccountId)
	}
}

func acceptListsAccount(t *check.T) {
	a := acceptInvite(t)
	t.Source("reference: accepting an invitation makes the account a member of the organization")
	found, joined, r := findAccount(t, a.org, a.recipient.AccountID)
	switch {
	case found == 0:
		t.Failf(r, fmt.Sprintf("ListAccounts of %s includes %s", a.org.ID, a.recipient.AccountID), "not listed on any page")
	case found > 1:
		t.Failf(r, fmt.Sprintf("ListAccounts of %s lists %s once", a.org.ID, a.recipient.AccountID), "listed %d times", found)
	case joined != "" && joined != "INVITED":
		t.Failf(r, "JoinedMethod INVITED", "JoinedMethod %q", joined)
	}
}

// findAccount pages through ListAccounts of o and counts the entries of
// account, with the JoinedMethod of the last.
func findAccount(t *check.T, o *fixture.Org, account string) (found int, joined string, r *endpoint.Response) {
	in := map[string]any{}
	seen := map[string]bool{}
	for range 1000 {
		r = t.Require(t.Call(o.Mgmt, "ListAccounts", in), "ListAccounts")
		var out struct {
			Accounts  []struct{ Id, JoinedMethod string }
			NextToken string
		}
		t.Decode(r, &out)
		for _, acc := range out.Accounts {
			if acc.Id == account {
				found++
				joined = acc.JoinedMethod
			}
		}
		if out.NextToken == "" || seen[out.NextToken] {
			return found, joined, r
		}
		seen[out.NextToken] = true
		in["NextToken"] = out.NextToken
	}
	return found, joined, r
}

func acceptDescribes(t *check.T) {
	a := acceptInvite(t)
	t.Source("model: DescribeHandshake shows a handshake to its parties, for 30 days after it ends")
	for _, p := range []endpoint.Principal{a.recipient, a.org.Mgmt} {
		r := t.Require(t.Call(p, "DescribeHandshake", map[string]string{"HandshakeId": a.invite.Id}), "DescribeHandshake")
		if h := t.Handshake(r); h.State != "ACCEPTED" {
			t.Failf(r, "DescribeHandshake shows ACCEPTED to recipient and sender", "account %s sees %s", p.AccountID, h.State)
		}
	}
}

func acceptListsForAccount(t *check.T) {
	a := acceptInvite(t)
	expectListed(t, a.recipient, "ListHandshakesForAccount", a.invite.Id)
}

func acceptListsForOrganization(t *check.T) {
	a := acceptInvite(t)
	expectListed(t, a.org.Mgmt, "ListHandshakesForOrganization", a.invite.Id)
}

// expectListed pages through op as p and fails unless id is listed ACCEPTED.
func expectListed(t *check.T, p endpoint.Principal, op, id string) {
	t.Source("reference: an accepted handshake appears in the results of relevant APIs for 30 days")
	h, r, ok := fixture.Find(t, p, op, id, nil)
	t.Require(r, op)
	switch {
	case !ok:
		t.Failf(r, fmt.Sprintf("%s lists %s", op, id), "not listed on any page")
	case h.State != "ACCEPTED":
		t.Failf(r, op+" lists the handshake ACCEPTED", "listed %s", h.State)
	}
}

// acceptConcurrently sends two accepts of one invitation at once: exactly
// one must succeed; the other must see the handshake already accepted (or a
// concurrent modification).
func acceptConcurrently(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	h := fixture.Invite(t, o, rec)
	fixture.LeaveLater(t, o, rec)
	accept := func(ctx context.Context) *endpoint.Response {
		return t.Target().Raw(ctx, rec, "AcceptHandshake", []byte(`{"HandshakeId":"`+h.Id+`"}`))
	}
	rs := t.DoAll("AcceptHandshake", accept, accept)
	for _, r := range rs {
		t.Unanswered(r)
		fixture.Saw(t, r)
	}
	ok := 0
	for _, r := range rs {
		if r.OK() {
			ok++
		}
	}
	t.Source("reference: a handshake can be accepted once; model: ConcurrentModificationException for simultaneous changes")
	if ok != 1 {
		t.Failf(rs[1], "exactly one of two simultaneous accepts succeeds", "%d succeeded: %s | %s", ok, rs[0].Summary(), rs[1].Summary())
	}
	loser := rs[slices.IndexFunc(rs, func(r *endpoint.Response) bool { return !r.OK() })]
	t.Expect(loser, oracle.Errors("HandshakeAlreadyInStateException", "ConcurrentModificationException"))
}

// acceptMembersConcurrently: two accounts accept invitations of one
// organization at the same moment. Each accept that succeeds joins: its
// account is listed once by ListAccounts (a target that saves the member
// list as it read it before the other accept changed it loses one). The
// sources allow a simultaneous change to be refused with
// ConcurrentModificationException; a refused account is not looked for,
// and when both are refused the check reaches no verdict.
func acceptMembersConcurrently(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	// Two standalone accounts: the recipient, and the one other checks
	// join as a member (a target file's accounts of those roles).
	a, b := t.Principal(fixture.Recipient), t.Principal(fixture.Member)
	ha, hb := fixture.Invite(t, o, a), fixture.Invite(t, o, b)
	fixture.LeaveLater(t, o, a)
	fixture.LeaveLater(t, o, b)
	accept := func(p endpoint.Principal, id string) func(ctx context.Context) *endpoint.Response {
		return func(ctx context.Context) *endpoint.Response {
			return t.Target().Raw(ctx, p, "AcceptHandshake", []byte(`{"HandshakeId":"`+id+`"}`))
		}
	}
	rs := t.DoAll("AcceptHandshake", accept(a, ha.Id), accept(b, hb.Id))
	joined := oracle.Either(oracle.Expectation{Success: true, State: "ACCEPTED",
		Source: "reference: accepting an invitation makes the account a member of the organization; each invitation is its own handshake"},
		oracle.Errors("ConcurrentModificationException").Because("a change to the organization made at the same moment as another may be refused"))
	var members []endpoint.Principal
	for i, r := range rs {
		t.Unanswered(r)
		fixture.Saw(t, r)
		t.Expect(r, joined)
		if r.OK() {
			members = append(members, []endpoint.Principal{a, b}[i])
		}
	}
	if len(members) == 0 {
		t.SkipCause("both simultaneous accepts refused", "both accepts got ConcurrentModificationException: no account joined to look for")
	}
	t.Source("reference: accepting an invitation makes the account a member of the organization; model: ListAccounts lists the accounts in the organization")
	for _, p := range members {
		found, _, r := findAccount(t, o, p.AccountID)
		if found != 1 {
			t.Failf(r, fmt.Sprintf("ListAccounts of %s lists %s, who joined at the same moment as another account, once", o.ID, p.AccountID),
				"listed %d times", found)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
