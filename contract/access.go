package contract

import (
	"fmt"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// accessChecks are who may call and who may see what beyond the
// transition table's responses: reading a handshake one is no party to,
// listing another account's or organization's handshakes, and the
// management account's operations called by a member.
func accessChecks() []check.Check {
	mk := func(id, op string, ops []string, n fixture.Need, invitations int, run func(*check.T)) check.Check {
		return check.Check{ID: "access/" + id, Group: "access", Operation: op,
			Needs: check.Needs{Ops: append([]string{op}, ops...), Principals: n, Invitations: invitations}, Run: run}
	}
	invite := []string{"InviteAccountToOrganization"}
	join := []string{"InviteAccountToOrganization", "AcceptHandshake"}
	return []check.Check{
		mk("DescribeHandshake/outsider", "DescribeHandshake", invite, need{fixture.Management: 1, fixture.Recipient: 1, fixture.Outsider: 1}, 1, describeByOutsider),
		mk("ListHandshakesForAccount/outsider", "ListHandshakesForAccount", invite, need{fixture.Management: 1, fixture.Recipient: 1, fixture.Outsider: 1}, 1, listForAccountByOutsider),
		mk("ListHandshakesForOrganization/member", "ListHandshakesForOrganization", join, need{fixture.Management: 1, fixture.Member: 1}, 1,
			func(t *check.T) { managementOnly(t, "ListHandshakesForOrganization", nil) }),
		mk("ListAccounts/member", "ListAccounts", join, need{fixture.Management: 1, fixture.Member: 1}, 1,
			func(t *check.T) { managementOnly(t, "ListAccounts", nil) }),
		mk("InviteAccountToOrganization/member", "InviteAccountToOrganization", join, need{fixture.Management: 1, fixture.Member: 1, fixture.Outsider: 1}, 2,
			func(t *check.T) {
				managementOnly(t, "InviteAccountToOrganization", func(o *fixture.Org) any {
					return map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": t.Principal(fixture.Outsider).AccountID}}
				})
			}),
	}
}

// describeByOutsider: an account in no organization describes another
// account's invitation by its id.
func describeByOutsider(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	h := fixture.Invite(t, o, t.Principal(fixture.Recipient))
	r := t.Call(t.Principal(fixture.Outsider), "DescribeHandshake", map[string]string{"HandshakeId": h.Id})
	e := oracle.Errors("HandshakeNotFoundException", "AccessDeniedException").
		Because("the caller is no party to the handshake: AWS most plausibly hides it (HandshakeNotFoundException) or denies the call")
	e.Source = "model (DescribeHandshake): only a party sees a handshake (specs/permissions.json: recipient and sender; an outsider is no party)"
	t.Expect(r, e)
}

// listForAccountByOutsider: an account in no organization lists its
// handshakes; another account's invitation must not be among them.
func listForAccountByOutsider(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	h := fixture.Invite(t, o, t.Principal(fixture.Recipient))
	t.Source("model: ListHandshakesForAccount lists the handshakes the caller received (specs/permissions.json)")
	x, r, found := fixture.Find(t, t.Principal(fixture.Outsider), "ListHandshakesForAccount", h.Id, nil)
	t.Require(r, "ListHandshakesForAccount")
	if found {
		t.Failf(r, "an outsider's ListHandshakesForAccount does not list the invitation of account "+h.Id, "it lists %s (%s %s)", x.Id, x.Action, x.State)
	}
}

// managementOnly: a member account calls op, which only the management
// account may call (body builds the input, nil for none). A call that
// succeeds is undone where it sent an invitation.
func managementOnly(t *check.T, op string, body func(o *fixture.Org) any) {
	o := fixture.Organization(t, fixture.AllFeatures)
	m := t.Principal(fixture.Member)
	fixture.Join(t, o, m)
	var in any
	if body != nil {
		in = body(o)
	}
	r := t.Call(m, op, in)
	if h, err := oracle.DecodeHandshake(r.Body); r.OK() && err == nil {
		fixture.CancelLater(t, o.Mgmt, h.Id)
	}
	e := oracle.Errors("AccessDeniedException").Because(fmt.Sprintf("account %s is a member of %s, not its management account", m.AccountID, o.ID))
	e.Source = "model (" + op + "): you can only call this operation from the management account (or a delegated administrator)"
	t.Expect(r, e)
}
