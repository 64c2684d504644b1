package reftarget_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/orgconform/orgconform/specs"
)

// wantCode fails unless err is the named AWS error.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := errCode(err); got != want {
		t.Fatalf("got error %q, want %s", got, want)
	}
}

func TestAcceptedInviteJoinsTheOrganization(t *testing.T) {
	tg := newTarget(t)
	org := tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	if !regexp.MustCompile(`^o-[a-z0-9]{10}$`).MatchString(aws.ToString(org.Id)) {
		t.Errorf("organization id %q", aws.ToString(org.Id))
	}
	if want := "arn:aws:organizations::" + mgmtAcct + ":organization/" + aws.ToString(org.Id); aws.ToString(org.Arn) != want {
		t.Errorf("Arn %q, want %q", aws.ToString(org.Arn), want)
	}
	_, err := tg.client(recipientAcct).DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")

	tg.join(mgmtAcct, recipientAcct)

	got, err := tg.client(recipientAcct).DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization by the new member: %v", err)
	}
	if aws.ToString(got.Organization.Id) != aws.ToString(org.Id) || aws.ToString(got.Organization.MasterAccountId) != mgmtAcct {
		t.Errorf("member sees organization %+v", got.Organization)
	}
	accounts, err := tg.client(mgmtAcct).ListAccounts(ctx(t), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range accounts.Accounts {
		ids = append(ids, aws.ToString(a.Id))
		if aws.ToString(a.Id) == recipientAcct && a.JoinedMethod != types.AccountJoinedMethodInvited {
			t.Errorf("JoinedMethod %s", a.JoinedMethod)
		}
	}
	if !slices.Equal(ids, []string{mgmtAcct, recipientAcct}) {
		t.Errorf("ListAccounts = %v", ids)
	}
	_, err = tg.client(recipientAcct).ListAccounts(ctx(t), &organizations.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = tg.client(recipientAcct).CreateOrganization(ctx(t), &organizations.CreateOrganizationInput{})
	wantCode(t, err, "AlreadyInOrganizationException")
	_, err = tg.client(mgmtAcct).CreateOrganization(ctx(t), &organizations.CreateOrganizationInput{})
	wantCode(t, err, "AlreadyInOrganizationException")
}

func TestHandshakeDocument(t *testing.T) {
	tg := newTarget(t)
	org := tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	r := tg.raw(mgmtAcct, "InviteAccountToOrganization",
		[]byte(`{"Target": {"Id": "222222222222@example.com", "Type": "EMAIL"}, "Notes": "welcome"}`))
	if r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.text)
	}
	var out struct {
		Handshake map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.text), &out); err != nil {
		t.Fatal(err)
	}
	h := out.Handshake
	var id, arn, state, action string
	_ = json.Unmarshal(h["Id"], &id)
	_ = json.Unmarshal(h["Arn"], &arn)
	_ = json.Unmarshal(h["State"], &state)
	_ = json.Unmarshal(h["Action"], &action)
	if !regexp.MustCompile(specs.Must().Scalars["HandshakeId"].Pattern).MatchString(id) {
		t.Errorf("Id %q does not match the HandshakeId pattern", id)
	}
	orgID := aws.ToString(org.Id)
	if want := fmt.Sprintf("arn:aws:organizations::%s:handshake/%s/invite/%s", mgmtAcct, orgID, id); arn != want {
		t.Errorf("Arn %q, want %q", arn, want)
	}
	if state != "OPEN" || action != "INVITE" {
		t.Errorf("State %s Action %s", state, action)
	}
	fractional := regexp.MustCompile(`^\d{10}\.\d{3}$`)
	for _, k := range []string{"RequestedTimestamp", "ExpirationTimestamp"} {
		if !fractional.Match(h[k]) {
			t.Errorf("%s = %s, want epoch seconds with a fractional part", k, h[k])
		}
	}
	var parties []map[string]string
	_ = json.Unmarshal(h["Parties"], &parties)
	wantParties := []map[string]string{{"Id": orgID, "Type": "ORGANIZATION"}, {"Id": "222222222222@example.com", "Type": "EMAIL"}}
	if fmt.Sprint(parties) != fmt.Sprint(wantParties) {
		t.Errorf("Parties %v, want %v", parties, wantParties)
	}
	var res []struct {
		Type, Value string
		Resources   []struct{ Type, Value string }
	}
	_ = json.Unmarshal(h["Resources"], &res)
	if len(res) != 3 || res[0].Type != "ORGANIZATION" || res[0].Value != orgID ||
		res[1].Type != "EMAIL" || res[2].Type != "NOTES" || res[2].Value != "welcome" {
		t.Fatalf("Resources %+v", res)
	}
	nested := map[string]string{}
	for _, n := range res[0].Resources {
		nested[n.Type] = n.Value
	}
	if nested["MASTER_EMAIL"] != mgmtAcct+"@example.com" || nested["MASTER_NAME"] == "" || nested["ORGANIZATION_FEATURE_SET"] != "ALL" {
		t.Errorf("nested ORGANIZATION resources %v", nested)
	}

	// Through the SDK: the email invitation reached the implicit account,
	// expires 15 days after it was requested, and accepting it joins.
	hs := tg.received(recipientAcct, types.ActionTypeInviteAccountToOrganization)
	if len(hs) != 1 || aws.ToString(hs[0].Id) != id {
		t.Fatalf("recipient lists %d invitations", len(hs))
	}
	if d := hs[0].ExpirationTimestamp.Sub(*hs[0].RequestedTimestamp); d != 15*24*time.Hour {
		t.Errorf("expiration - requested = %s, want 15 days", d)
	}
	tg.accept(recipientAcct, id)
	if _, err := tg.client(recipientAcct).DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("after accepting the email invitation: %v", err)
	}
}

func TestInvitationRefusals(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	tg.createOrg(otherMgmtAcct, types.OrganizationFeatureSetAll)
	mgmt := tg.client(mgmtAcct)
	invite := func(c *organizations.Client, id string, typ types.HandshakePartyType) error {
		_, err := c.InviteAccountToOrganization(ctx(t), &organizations.InviteAccountToOrganizationInput{
			Target: &types.HandshakeParty{Id: aws.String(id), Type: typ},
		})
		return err
	}

	first := tg.invite(mgmtAcct, recipientAcct)
	wantCode(t, invite(mgmt, recipientAcct, types.HandshakePartyTypeAccount), "DuplicateHandshakeException")
	wantCode(t, invite(mgmt, recipientAcct+"@example.com", types.HandshakePartyTypeEmail), "DuplicateHandshakeException")
	if _, err := mgmt.CancelHandshake(ctx(t), &organizations.CancelHandshakeInput{HandshakeId: first.Id}); err != nil {
		t.Fatal(err)
	}
	second := tg.invite(mgmtAcct, recipientAcct) // no open invitation left

	// Invited by two organizations: after joining one, accepting the other
	// is refused.
	rival := tg.invite(otherMgmtAcct, recipientAcct)
	tg.accept(recipientAcct, aws.ToString(second.Id))
	_, err := tg.client(recipientAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: rival.Id})
	wantCode(t, err, "HandshakeConstraintViolationException")
	if e, ok := errorAs[*types.HandshakeConstraintViolationException](err); !ok || e.Reason != "ALREADY_IN_AN_ORGANIZATION" {
		t.Errorf("reason: %v", err)
	}
	if h, _ := tg.describe(recipientAcct, aws.ToString(rival.Id)); h == nil || h.State != types.HandshakeStateOpen {
		t.Errorf("refused acceptance changed the handshake: %+v", h)
	}
	// Inviting a member of the same organization, or the management account.
	for _, acct := range []string{recipientAcct, mgmtAcct} {
		err := invite(mgmt, acct, types.HandshakePartyTypeAccount)
		if e, ok := errorAs[*types.HandshakeConstraintViolationException](err); !ok || e.Reason != "ALREADY_IN_AN_ORGANIZATION" {
			t.Errorf("inviting %s: %v", acct, err)
		}
	}
	// Members and standalone accounts may not invite.
	wantCode(t, invite(tg.client(recipientAcct), outsiderAcct, types.HandshakePartyTypeAccount), "AccessDeniedException")
	wantCode(t, invite(tg.client(outsiderAcct), memberAcct, types.HandshakePartyTypeAccount), "AWSOrganizationsNotInUseException")
	_, err = tg.client(recipientAcct).ListHandshakesForOrganization(ctx(t), &organizations.ListHandshakesForOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = tg.client(outsiderAcct).ListHandshakesForOrganization(ctx(t), &organizations.ListHandshakesForOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
}

// EnableAllFeatures is the management account's, for an organization with
// consolidated billing only. (The process itself: allfeatures_test.go.)
func TestEnableAllFeaturesRefusals(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	tg.join(mgmtAcct, memberAcct)
	_, err := tg.client(mgmtAcct).EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantReason(t, err, "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")
	_, err = tg.client(memberAcct).EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = tg.client(outsiderAcct).EnableAllFeatures(ctx(t), &organizations.EnableAllFeaturesInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	if n := len(tg.received(memberAcct, types.ActionTypeApproveAllFeatures)); n != 0 {
		t.Fatalf("a refused EnableAllFeatures sent %d handshakes", n)
	}
}

func TestListPaginationAndFilter(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	want := map[string]bool{}
	for i := range 25 {
		h := tg.invite(mgmtAcct, fmt.Sprintf("9000000000%02d", i))
		want[aws.ToString(h.Id)] = true
	}
	var sizes []int
	got := map[string]bool{}
	in := &organizations.ListHandshakesForOrganizationInput{MaxResults: aws.Int32(7)}
	for {
		out, err := tg.client(mgmtAcct).ListHandshakesForOrganization(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.Handshakes))
		for _, h := range out.Handshakes {
			if got[aws.ToString(h.Id)] {
				t.Fatalf("handshake %s listed twice", aws.ToString(h.Id))
			}
			got[aws.ToString(h.Id)] = true
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if !slices.Equal(sizes, []int{7, 7, 7, 4}) || len(got) != len(want) {
		t.Fatalf("page sizes %v, %d of %d handshakes", sizes, len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("handshake %s missing", id)
		}
	}
	out, err := tg.client(mgmtAcct).ListHandshakesForOrganization(ctx(t), &organizations.ListHandshakesForOrganizationInput{
		Filter: &types.HandshakeFilter{ActionType: types.ActionTypeEnableAllFeatures},
	})
	if err != nil || len(out.Handshakes) != 0 {
		t.Fatalf("ENABLE_ALL_FEATURES filter: %v, %d handshakes", err, len(out.Handshakes))
	}
	if n := len(tg.received("900000000003", types.ActionTypeInviteAccountToOrganization)); n != 1 {
		t.Errorf("invitee lists %d invitations", n)
	}
}

func TestExpiryAndRetention(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	accepted := tg.invite(mgmtAcct, recipientAcct)
	tg.accept(recipientAcct, aws.ToString(accepted.Id))
	open := tg.invite(mgmtAcct, memberAcct)

	tg.advance(15*24*time.Hour - time.Second)
	if h, _ := tg.describe(memberAcct, aws.ToString(open.Id)); h.State != types.HandshakeStateOpen {
		t.Fatalf("a second before expiry: %s", h.State)
	}
	tg.advance(time.Second)
	if h, _ := tg.describe(memberAcct, aws.ToString(open.Id)); h.State != types.HandshakeStateExpired {
		t.Fatalf("at expiry: %s", h.State)
	}
	// The accepted handshake is 15 days old; it stays 30 days after acceptance.
	tg.advance(15*24*time.Hour - time.Second)
	if n := len(tg.received(recipientAcct, types.ActionTypeInviteAccountToOrganization)); n != 1 {
		t.Fatalf("accepted handshake listed %d times a second before the retention ends", n)
	}
	tg.advance(time.Second)
	if n := len(tg.received(recipientAcct, types.ActionTypeInviteAccountToOrganization)); n != 0 {
		t.Fatalf("accepted handshake still listed after 30 days")
	}
	_, err := tg.describe(recipientAcct, aws.ToString(accepted.Id))
	wantCode(t, err, "HandshakeNotFoundException")
	// The expired one reached EXPIRED 15 days ago: still there.
	if n := len(tg.received(memberAcct, types.ActionTypeInviteAccountToOrganization)); n != 1 {
		t.Fatalf("expired handshake listed %d times, want 1 (15 of 30 retention days)", n)
	}
	tg.advance(15 * 24 * time.Hour)
	if n := len(tg.received(memberAcct, types.ActionTypeInviteAccountToOrganization)); n != 0 {
		t.Fatalf("expired handshake still listed 30 days after expiring")
	}
}

func TestSimultaneousAcceptsExactlyOneWins(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	h := tg.invite(mgmtAcct, recipientAcct)
	c := tg.client(recipientAcct)
	const n = 16
	codes := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := c.AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
			codes[i] = errCode(err)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, code := range codes {
		switch code {
		case "":
			wins++
		case "HandshakeAlreadyInStateException":
		default:
			t.Errorf("unexpected outcome %s", code)
		}
	}
	if wins != 1 {
		t.Fatalf("%d accepts succeeded, want exactly 1 (%v)", wins, codes)
	}
}

func TestLeaveRemoveDelete(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	tg.join(mgmtAcct, recipientAcct)
	tg.join(mgmtAcct, memberAcct)
	mgmt := tg.client(mgmtAcct)
	pending := tg.invite(mgmtAcct, outsiderAcct)

	_, err := mgmt.LeaveOrganization(ctx(t), &organizations.LeaveOrganizationInput{})
	wantCode(t, err, "MasterCannotLeaveOrganizationException")
	_, err = mgmt.RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(mgmtAcct)})
	wantCode(t, err, "ConstraintViolationException")
	_, err = mgmt.RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(otherMgmtAcct)})
	wantCode(t, err, "AccountNotFoundException")
	_, err = tg.client(memberAcct).RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(recipientAcct)})
	wantCode(t, err, "AccessDeniedException")
	_, err = mgmt.DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{})
	wantCode(t, err, "OrganizationNotEmptyException")

	if _, err := tg.client(memberAcct).LeaveOrganization(ctx(t), &organizations.LeaveOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = tg.client(memberAcct).DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	if _, err := mgmt.RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(recipientAcct)}); err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = mgmt.DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	if h, err := tg.describe(outsiderAcct, aws.ToString(pending.Id)); err != nil || h.State != types.HandshakeStateCanceled {
		t.Fatalf("open invitation of a deleted organization: %+v %v", h, err)
	}
	// The former management account may start over.
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
}

func describeOrg(t *testing.T, tg *target, account string) *types.Organization {
	t.Helper()
	out, err := tg.client(account).DescribeOrganization(ctx(t), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("DescribeOrganization by %s: %v", account, err)
	}
	return out.Organization
}

// wantReason fails unless err is a HandshakeConstraintViolationException with reason.
func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	e, ok := errorAs[*types.HandshakeConstraintViolationException](err)
	if !ok || string(e.Reason) != reason {
		t.Fatalf("got %v, want HandshakeConstraintViolationException %s", err, reason)
	}
}
