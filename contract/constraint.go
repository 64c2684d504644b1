package contract

import (
	"context"
	"fmt"
)

// constraintChecks are the scenarios where a well-formed request breaks a
// rule of the organization's state.
func constraintChecks() []Check {
	mk := func(id, op string, needs []string, run func(*T)) Check {
		return Check{ID: "constraint/" + id, Group: "constraint", Operation: op, Needs: append([]string{"CreateOrganization"}, needs...), run: run}
	}
	out := []Check{
		mk("accept/already-in-another-organization", "AcceptHandshake", []string{"InviteAccountToOrganization", "AcceptHandshake"}, (*T).acceptWhileMember),
		mk("accept/manages-another-organization", "AcceptHandshake", []string{"InviteAccountToOrganization", "AcceptHandshake"}, (*T).acceptWhileManaging),
		mk("invite/duplicate", "InviteAccountToOrganization", []string{"InviteAccountToOrganization"}, (*T).duplicateInvite),
		mk("enable-all-features/already-all", "EnableAllFeatures", []string{"EnableAllFeatures"}, (*T).enableAllTwice),
	}
	for _, op := range []string{"DescribeOrganization", "ListAccounts", "ListHandshakesForOrganization", "EnableAllFeatures", "LeaveOrganization", "DeleteOrganization"} {
		out = append(out, Check{ID: "constraint/not-in-organization/" + op, Group: "constraint", Operation: op, Needs: []string{op},
			run: func(t *T) { t.notInUse(op) }})
	}
	return out
}

// acceptWhileMember: an account invited by A joins B, then accepts A's
// invitation (reference: ALREADY_IN_AN_ORGANIZATION).
func (t *T) acceptWhileMember() {
	a, b := t.newOrg("ALL"), t.newOrg("ALL")
	x := t.tgt.Mint(roleRecipient)
	inv := t.invite(a, x)
	t.join(b, x)
	r := t.call(x, "AcceptHandshake", map[string]string{"HandshakeId": inv.Id})
	if r.OK() {
		t.leaveLater(a, x)
	}
	t.judgeError(r, expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ALREADY_IN_AN_ORGANIZATION"}}})
}

// acceptWhileManaging: an invited account creates its own organization,
// then accepts. The management account cannot leave its organization, so
// MasterCannotLeaveOrganizationException (model) is as plausible as
// ALREADY_IN_AN_ORGANIZATION.
func (t *T) acceptWhileManaging() {
	a := t.newOrg("ALL")
	x := t.tgt.Mint(roleOther)
	inv := t.invite(a, x)
	t.setup(t.call(x, "CreateOrganization", map[string]string{"FeatureSet": "ALL"}), "CreateOrganization")
	t.Cleanup("delete organization of "+x.AccountID, func(ctx context.Context) error {
		return t.undo(ctx, x, "DeleteOrganization", nil, "AWSOrganizationsNotInUseException")
	})
	r := t.call(x, "AcceptHandshake", map[string]string{"HandshakeId": inv.Id})
	t.judgeError(r, expectation{Codes: map[string][]string{
		"HandshakeConstraintViolationException":  {"ALREADY_IN_AN_ORGANIZATION"},
		"MasterCannotLeaveOrganizationException": nil,
	}})
}

// duplicateInvite: a second invitation of an account with one still open.
func (t *T) duplicateInvite() {
	o := t.newOrg("ALL")
	x := t.tgt.Mint(roleRecipient)
	t.invite(o, x)
	r := t.call(o.mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": x.AccountID}})
	if r.OK() {
		t.cancelLater(o.mgmt, t.handshakeOf(r).Id)
	}
	t.judgeError(r, expectation{Codes: codes("DuplicateHandshakeException"), Why: "an open invitation to the same account exists"})
}

// enableAllTwice: EnableAllFeatures on an organization that has all features.
func (t *T) enableAllTwice() {
	o := t.newOrg("ALL")
	r := t.call(o.mgmt, "EnableAllFeatures", nil)
	if r.OK() {
		t.cancelLater(o.mgmt, t.handshakeOf(r).Id)
	}
	t.judgeError(r, expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ORGANIZATION_ALREADY_HAS_ALL_FEATURES"}}})
}

// notInUse: op called by an account in no organization.
func (t *T) notInUse(op string) {
	x := t.tgt.Mint(roleOutsider)
	r := t.call(x, op, nil)
	t.judgeError(r, expectation{Codes: codes("AWSOrganizationsNotInUseException"), Why: fmt.Sprintf("account %s belongs to no organization", x.AccountID)})
}
