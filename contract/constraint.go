package contract

import (
	"context"
	"fmt"
	"slices"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// constraintChecks are the scenarios where a well-formed request breaks a
// rule of the organization's state.
func constraintChecks() []check.Check {
	mk := func(id, op string, ops []string, n fixture.Need, invitations int, run func(*check.T)) check.Check {
		return check.Check{ID: "constraint/" + id, Group: "constraint", Operation: op,
			Needs: check.Needs{Ops: ops, Principals: n, Invitations: invitations}, Run: run}
	}
	invite := []string{"InviteAccountToOrganization", "AcceptHandshake"}
	out := []check.Check{
		mk("accept/already-in-another-organization", "AcceptHandshake", invite, need{fixture.Management: 2, fixture.Recipient: 1}, 2, acceptWhileMember),
		mk("accept/manages-another-organization", "AcceptHandshake", invite, need{fixture.Management: 1, fixture.Recipient: 1}, 1, acceptWhileManaging),
		mk("invite/duplicate", "InviteAccountToOrganization", []string{"InviteAccountToOrganization"}, need{fixture.Management: 1, fixture.Recipient: 1}, 2, duplicateInvite),
		mk("invite/concurrent-duplicate", "InviteAccountToOrganization", []string{"InviteAccountToOrganization"}, need{fixture.Management: 1, fixture.Recipient: 1}, 2, concurrentInvites),
		mk("enable-all-features/already-all", "EnableAllFeatures", []string{"EnableAllFeatures"}, need{fixture.Management: 1}, 1, enableAllTwice),
	}
	for _, op := range []string{"DescribeOrganization", "ListAccounts", "ListHandshakesForOrganization", "EnableAllFeatures", "LeaveOrganization", "DeleteOrganization"} {
		out = append(out, mk("not-in-organization/"+op, op, []string{op}, need{fixture.Outsider: 1}, 0, func(t *check.T) { notInUse(t, op) }))
	}
	return out
}

// acceptWhileMember: an account invited by A joins B, then accepts A's
// invitation.
func acceptWhileMember(t *check.T) {
	a, b := fixture.Organization(t, fixture.AllFeatures), fixture.Organization(t, fixture.AllFeatures)
	x := t.Principal(fixture.Recipient)
	inv := fixture.Invite(t, a, x)
	fixture.Join(t, b, x)
	r := t.Call(x, "AcceptHandshake", map[string]string{"HandshakeId": inv.Id})
	if r.OK() {
		fixture.LeaveLater(t, a, x)
	}
	t.Expect(r, oracle.AlreadyMember)
}

// acceptWhileManaging: an invited account makes its own organization, then
// accepts. The management account cannot leave its organization, so
// MasterCannotLeaveOrganizationException (model) is as plausible as
// ALREADY_IN_AN_ORGANIZATION.
func acceptWhileManaging(t *check.T) {
	a := fixture.Organization(t, fixture.AllFeatures)
	x := t.Principal(fixture.Recipient)
	inv := fixture.Invite(t, a, x)
	fixture.OrganizationOf(t, x, fixture.AllFeatures)
	r := t.Call(x, "AcceptHandshake", map[string]string{"HandshakeId": inv.Id})
	if r.OK() {
		fixture.LeaveLater(t, a, x)
	}
	t.Expect(r, oracle.AlreadyManaging)
}

// duplicateInvite: a second invitation of an account with one still open.
func duplicateInvite(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	x := t.Principal(fixture.Recipient)
	fixture.Invite(t, o, x)
	r := t.Call(o.Mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": x.AccountID}})
	if r.OK() {
		fixture.CancelLater(t, o.Mgmt, t.Handshake(r).Id)
	}
	t.Expect(r, oracle.Duplicate)
}

// concurrentInvites sends two invitations of one account at once: exactly
// one must be sent; the other must be refused as a duplicate (or a
// concurrent modification).
func concurrentInvites(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	x := t.Principal(fixture.Recipient)
	body := []byte(`{"Target":{"Type":"ACCOUNT","Id":"` + x.AccountID + `"}}`)
	invite := func(ctx context.Context) *endpoint.Response {
		return t.Target().Raw(ctx, o.Mgmt, "InviteAccountToOrganization", body)
	}
	rs := t.DoAll("InviteAccountToOrganization", invite, invite)
	ok := 0
	for _, r := range rs {
		t.Unanswered(r)
		if h, err := oracle.DecodeHandshake(r.Body); r.OK() && err == nil {
			fixture.CancelLater(t, o.Mgmt, h.Id)
			ok++
		}
	}
	t.Source("model: DuplicateHandshakeException — a handshake with the same action and target already exists; ConcurrentModificationException for simultaneous changes")
	if ok != 1 {
		t.Failf(rs[1], "exactly one of two simultaneous invitations of one account is sent", "%d were sent: %s | %s", ok, rs[0].Summary(), rs[1].Summary())
	}
	loser := rs[slices.IndexFunc(rs, func(r *endpoint.Response) bool { return !r.OK() })]
	t.Expect(loser, oracle.Errors("DuplicateHandshakeException", "ConcurrentModificationException"))
}

// enableAllTwice: EnableAllFeatures on an organization that has all
// features.
func enableAllTwice(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	r := t.Call(o.Mgmt, "EnableAllFeatures", nil)
	if r.OK() {
		fixture.CancelLater(t, o.Mgmt, t.Handshake(r).Id)
	}
	t.Expect(r, oracle.AllFeaturesAlready)
}

// notInUse: op called by an account in no organization. A target that
// creates organizations implicitly has no such account, so the check
// cannot apply there.
func notInUse(t *check.T, op string) {
	if f, _ := t.Session().Caps().Flag(check.FlagImplicitOrganizations); f.On {
		t.SkipCause("the target creates organizations implicitly", "the target creates organizations implicitly (%s): no account is outside an organization", f.Evidence)
	}
	x := t.Principal(fixture.Outsider)
	r := t.Call(x, op, nil)
	t.Expect(r, oracle.NotInUse.Because(fmt.Sprintf("account %s belongs to no organization", x.AccountID)))
}
