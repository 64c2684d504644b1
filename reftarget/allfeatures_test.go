package reftarget_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/specs"
)

// The all-features process end to end through aws-sdk-go-v2, as the User
// Guide's transcripts show it: EnableAllFeatures returns the management
// account's REQUESTED ENABLE_ALL_FEATURES request; every invited member
// gets an OPEN APPROVE_ALL_FEATURES handshake naming it as parent; the
// management account can finalize only after every member approved, when
// the request is OPEN; the organization then has all features.
func TestAllFeaturesFlowEndToEnd(t *testing.T) {
	c := specs.Must()
	tg := newTarget(t)
	org := tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
	orgID := aws.ToString(org.Id)
	tg.join(mgmtAcct, recipientAcct)
	tg.join(mgmtAcct, memberAcct)
	pendingInvite := tg.invite(mgmtAcct, outsiderAcct)
	mgmt := tg.client(mgmtAcct)

	request := tg.enableAllFeatures(mgmtAcct)
	requestID := aws.ToString(request.Id)
	if request.Action != types.ActionTypeEnableAllFeatures || request.State != types.HandshakeStateRequested {
		t.Fatalf("EnableAllFeatures returned %s %s, want ENABLE_ALL_FEATURES REQUESTED", request.Action, request.State)
	}
	wantArn := regexp.MustCompile(`^arn:aws:organizations::` + mgmtAcct + `:handshake/` + orgID + `/enable_all_features/` + requestID + `$`)
	if !wantArn.MatchString(aws.ToString(request.Arn)) {
		t.Errorf("request Arn %s", aws.ToString(request.Arn))
	}
	if len(request.Parties) != 1 || request.Parties[0].Type != types.HandshakePartyTypeOrganization ||
		!slices.Contains(c.PartyIDs("ORGANIZATION", orgID), aws.ToString(request.Parties[0].Id)) {
		t.Errorf("request Parties %s, want only the ORGANIZATION", partiesOf(request))
	}
	if len(request.Resources) != 1 || request.Resources[0].Type != types.HandshakeResourceTypeOrganization || aws.ToString(request.Resources[0].Value) != orgID {
		t.Errorf("request Resources %s, want ORGANIZATION %s", resourcesOf(request), orgID)
	}
	if d := request.ExpirationTimestamp.Sub(*request.RequestedTimestamp); d != 90*day {
		t.Errorf("request expires %s after it was made, want 90 days", d)
	}

	// Pending invitations are canceled; new ones and a second request wait.
	if h, err := tg.describe(mgmtAcct, aws.ToString(pendingInvite.Id)); err != nil || h.State != types.HandshakeStateCanceled {
		t.Errorf("invitation open when the process began: %v %v, want CANCELED", stateOrNil(h), err)
	}
	_, err := mgmt.EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantReason(t, err, "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
	_, err = mgmt.InviteAccountToOrganization(ctx(t), &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(otherMgmtAcct), Type: types.HandshakePartyTypeAccount},
	})
	wantReason(t, err, "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")

	// Each invited member has one OPEN APPROVE_ALL_FEATURES handshake.
	approvals := map[string]string{}
	for _, acct := range []string{recipientAcct, memberAcct} {
		hs := tg.received(acct, types.ActionTypeApproveAllFeatures)
		if len(hs) != 1 {
			t.Fatalf("%s received %d APPROVE_ALL_FEATURES handshakes, want 1", acct, len(hs))
		}
		h := hs[0]
		approvals[acct] = aws.ToString(h.Id)
		checkApproval(t, c, &h, acct, orgID, request)
		byParent, err := tg.client(acct).ListHandshakesForAccount(ctx(t), &organizations.ListHandshakesForAccountInput{
			Filter: &types.HandshakeFilter{ParentHandshakeId: request.Id},
		})
		if err != nil || len(byParent.Handshakes) != 1 || aws.ToString(byParent.Handshakes[0].Id) != approvals[acct] {
			t.Errorf("%s filtering by ParentHandshakeId: %v %v", acct, err, byParent)
		}
	}
	if n := len(tg.received(mgmtAcct, types.ActionTypeApproveAllFeatures)); n != 0 {
		t.Errorf("the management account received %d APPROVE_ALL_FEATURES handshakes, want none", n)
	}
	if got := tg.received(mgmtAcct, types.ActionTypeEnableAllFeatures); len(got) != 1 || aws.ToString(got[0].Id) != requestID {
		t.Errorf("the management account lists %d ENABLE_ALL_FEATURES handshakes", len(got))
	}

	// Before every member approved, finalizing is refused and changes nothing.
	finalize := func() error {
		_, err := mgmt.AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: request.Id})
		return err
	}
	wantCode(t, finalize(), "InvalidHandshakeTransitionException")
	tg.accept(recipientAcct, approvals[recipientAcct])
	wantCode(t, finalize(), "InvalidHandshakeTransitionException")
	if st := tg.stateOf(mgmtAcct, requestID); st != types.HandshakeStateRequested {
		t.Fatalf("request is %s after one of two approvals, want REQUESTED", st)
	}
	if fs := describeOrg(t, tg, mgmtAcct).FeatureSet; fs != types.OrganizationFeatureSetConsolidatedBilling {
		t.Fatalf("feature set %s before the process finished", fs)
	}

	// The last approval opens the request; only the management account may
	// accept it.
	accepted := tg.accept(memberAcct, approvals[memberAcct])
	if accepted.State != types.HandshakeStateAccepted || accepted.Action != types.ActionTypeApproveAllFeatures {
		t.Errorf("member's accept answered %s %s", accepted.Action, accepted.State)
	}
	if st := tg.stateOf(mgmtAcct, requestID); st != types.HandshakeStateOpen {
		t.Fatalf("request is %s after every member approved, want OPEN", st)
	}
	_, err = tg.client(memberAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: request.Id})
	wantCode(t, err, "HandshakeNotFoundException")
	if err := finalize(); err != nil {
		t.Fatalf("finalizing after every approval: %v", err)
	}
	if st := tg.stateOf(mgmtAcct, requestID); st != types.HandshakeStateAccepted {
		t.Errorf("request is %s after finalizing", st)
	}
	if fs := describeOrg(t, tg, memberAcct).FeatureSet; fs != types.OrganizationFeatureSetAll {
		t.Fatalf("feature set %s after finalizing, want ALL", fs)
	}
	_, err = mgmt.EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantReason(t, err, "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")
	tg.invite(mgmtAcct, otherMgmtAcct) // invitations work again
}

// checkApproval checks a member's APPROVE_ALL_FEATURES handshake against
// the guide's transcript.
func checkApproval(t *testing.T, c *specs.Contract, h *types.Handshake, member, orgID string, request *types.Handshake) {
	t.Helper()
	id := aws.ToString(h.Id)
	if h.State != types.HandshakeStateOpen || h.Action != types.ActionTypeApproveAllFeatures {
		t.Errorf("%s: %s %s, want APPROVE_ALL_FEATURES OPEN", member, h.Action, h.State)
	}
	wantArn := `^arn:aws:organizations::` + mgmtAcct + `:handshake/` + orgID + `/approve_all_features/` + id + `$`
	if !regexp.MustCompile(wantArn).MatchString(aws.ToString(h.Arn)) {
		t.Errorf("%s: Arn %s", member, aws.ToString(h.Arn))
	}
	parties := map[types.HandshakePartyType]string{}
	for _, p := range h.Parties {
		parties[p.Type] = aws.ToString(p.Id)
	}
	if len(h.Parties) != 2 || parties[types.HandshakePartyTypeAccount] != member ||
		!slices.Contains(c.PartyIDs("ORGANIZATION", orgID), parties[types.HandshakePartyTypeOrganization]) {
		t.Errorf("%s: Parties %s", member, partiesOf(h))
	}
	res := map[types.HandshakeResourceType]string{}
	for _, r := range h.Resources {
		res[r.Type] = aws.ToString(r.Value)
	}
	if len(h.Resources) != 3 || res[types.HandshakeResourceTypeOrganization] != orgID || res[types.HandshakeResourceTypeAccount] != member ||
		!slices.Contains(c.ResourceValues("PARENT_HANDSHAKE", aws.ToString(request.Id)), res[types.HandshakeResourceTypeParentHandshake]) {
		t.Errorf("%s: Resources %s, want PARENT_HANDSHAKE naming %s, ORGANIZATION, ACCOUNT", member, resourcesOf(h), aws.ToString(request.Id))
	}
	if !h.ExpirationTimestamp.Equal(*request.ExpirationTimestamp) {
		t.Errorf("%s: expires %s, the request %s", member, h.ExpirationTimestamp, request.ExpirationTimestamp)
	}
	if d := h.ExpirationTimestamp.Sub(*h.RequestedTimestamp); d != 90*day {
		t.Errorf("%s: expires %s after it was made, want 90 days", member, d)
	}
}

// The request and the members' handshakes expire 90 days after the
// request (the clock control endpoint moves time); then the process is over
// and may start again.
func TestAllFeaturesRequestExpiresAfter90Days(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
	tg.join(mgmtAcct, memberAcct)
	request := aws.ToString(tg.enableAllFeatures(mgmtAcct).Id)
	approval := aws.ToString(tg.received(memberAcct, types.ActionTypeApproveAllFeatures)[0].Id)

	tg.advance(90*day - time.Second)
	if st := tg.stateOf(mgmtAcct, request); st != types.HandshakeStateRequested {
		t.Fatalf("request a second before 90 days: %s", st)
	}
	if st := tg.stateOf(memberAcct, approval); st != types.HandshakeStateOpen {
		t.Fatalf("approval a second before 90 days: %s", st)
	}
	_, err := tg.client(mgmtAcct).InviteAccountToOrganization(ctx(t), &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(outsiderAcct), Type: types.HandshakePartyTypeAccount},
	})
	wantReason(t, err, "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")
	tg.advance(time.Second)
	if st := tg.stateOf(mgmtAcct, request); st != types.HandshakeStateExpired {
		t.Fatalf("request at 90 days: %s", st)
	}
	if st := tg.stateOf(memberAcct, approval); st != types.HandshakeStateExpired {
		t.Fatalf("approval at 90 days: %s", st)
	}
	_, err = tg.client(memberAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: aws.String(approval)})
	wantCode(t, err, "InvalidHandshakeTransitionException")
	tg.invite(mgmtAcct, outsiderAcct)
	if again := tg.enableAllFeatures(mgmtAcct); again.State != types.HandshakeStateRequested {
		t.Fatalf("a new request after expiry is %s", again.State)
	}
}

// A member that declines blocks the process until it is removed from the
// organization (the guide: 'you must either remove the account from your
// organization or resend the request').
func TestDeclinedApprovalBlocksUntilTheAccountIsRemoved(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
	tg.join(mgmtAcct, recipientAcct)
	tg.join(mgmtAcct, memberAcct)
	request := tg.enableAllFeatures(mgmtAcct)
	decliner := tg.received(recipientAcct, types.ActionTypeApproveAllFeatures)[0]
	if _, err := tg.client(recipientAcct).DeclineHandshake(ctx(t), &organizations.DeclineHandshakeInput{HandshakeId: decliner.Id}); err != nil {
		t.Fatal(err)
	}
	tg.accept(memberAcct, aws.ToString(tg.received(memberAcct, types.ActionTypeApproveAllFeatures)[0].Id))
	if st := tg.stateOf(mgmtAcct, aws.ToString(request.Id)); st != types.HandshakeStateRequested {
		t.Fatalf("request is %s with a declined approval, want REQUESTED", st)
	}
	mgmt := tg.client(mgmtAcct)
	_, err := mgmt.EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantReason(t, err, "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
	if _, err := mgmt.RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(recipientAcct)}); err != nil {
		t.Fatal(err)
	}
	if st := tg.stateOf(mgmtAcct, aws.ToString(request.Id)); st != types.HandshakeStateOpen {
		t.Fatalf("request is %s once the decliner left, want OPEN", st)
	}
	tg.accept(mgmtAcct, aws.ToString(request.Id))
	if fs := describeOrg(t, tg, memberAcct).FeatureSet; fs != types.OrganizationFeatureSetAll {
		t.Fatalf("feature set %s", fs)
	}
}

// Canceling the request cancels the approvals still open and ends the
// process; the management account may start again.
func TestCancelingTheRequestCancelsTheApprovals(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
	tg.join(mgmtAcct, memberAcct)
	request := tg.enableAllFeatures(mgmtAcct)
	approval := aws.ToString(tg.received(memberAcct, types.ActionTypeApproveAllFeatures)[0].Id)
	out, err := tg.client(mgmtAcct).CancelHandshake(ctx(t), &organizations.CancelHandshakeInput{HandshakeId: request.Id})
	if err != nil || out.Handshake.State != types.HandshakeStateCanceled {
		t.Fatalf("canceling the request: %v %v", err, out)
	}
	if st := tg.stateOf(memberAcct, approval); st != types.HandshakeStateCanceled {
		t.Fatalf("approval is %s after the request was canceled", st)
	}
	_, err = tg.client(memberAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: aws.String(approval)})
	wantCode(t, err, "InvalidHandshakeTransitionException")
	tg.invite(mgmtAcct, outsiderAcct)
	if again := tg.enableAllFeatures(mgmtAcct); aws.ToString(again.Id) == aws.ToString(request.Id) {
		t.Fatal("a second request reused the first one's id")
	}
}

// Without invited members there is nothing to wait for: the request is
// OPEN at once and the management account finalizes it.
func TestEnableAllFeaturesWithoutInvitedMembers(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
	request := tg.enableAllFeatures(mgmtAcct)
	if request.Action != types.ActionTypeEnableAllFeatures || request.State != types.HandshakeStateOpen {
		t.Fatalf("got %s %s, want ENABLE_ALL_FEATURES OPEN", request.Action, request.State)
	}
	tg.accept(mgmtAcct, aws.ToString(request.Id))
	if fs := describeOrg(t, tg, mgmtAcct).FeatureSet; fs != types.OrganizationFeatureSetAll {
		t.Fatalf("feature set %s", fs)
	}
}

// stateOf returns the state of handshake id as account sees it.
func (tg *target) stateOf(account, id string) types.HandshakeState {
	tg.t.Helper()
	h, err := tg.describe(account, id)
	if err != nil {
		tg.t.Fatalf("DescribeHandshake %s by %s: %v", id, account, err)
	}
	return h.State
}

func stateOrNil(h *types.Handshake) any {
	if h == nil {
		return nil
	}
	return h.State
}

func partiesOf(h *types.Handshake) []string {
	var out []string
	for _, p := range h.Parties {
		out = append(out, string(p.Type)+"="+aws.ToString(p.Id))
	}
	return out
}

func resourcesOf(h *types.Handshake) []string {
	var out []string
	for _, r := range h.Resources {
		out = append(out, string(r.Type)+"="+aws.ToString(r.Value))
	}
	return out
}
