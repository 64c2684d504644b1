package reftarget_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/reftarget"
)

// localStackMissing is LocalStack's body for an operation it lacks.
func localStackMissing(op string) string {
	return `{"__type":"InternalFailure","message":"API action '` + op + `' for service 'organizations' not yet implemented or pro feature"}`
}

// wantNotImplemented fails unless r is LocalStack's 501 for op.
func wantNotImplemented(t *testing.T, r rawResponse, op string) {
	t.Helper()
	if r.status != http.StatusNotImplemented || r.text != localStackMissing(op) || r.header.Get("X-Amzn-ErrorType") != "InternalFailure" ||
		r.header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("%s: %d %s %q %q; want 501 %s with X-Amzn-ErrorType InternalFailure", op, r.status, r.text,
			r.header.Get("X-Amzn-ErrorType"), r.header.Get("Content-Type"), localStackMissing(op))
	}
}

func TestWithoutAnswersAsLocalStackDoes(t *testing.T) {
	tg := newTargetWith(t, reftarget.Options{Without: []string{"ListAccounts", "AcceptHandshake"}})
	tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
	h := tg.invite(mgmtAcct, recipientAcct)

	wantNotImplemented(t, tg.raw(recipientAcct, "AcceptHandshake", []byte(`{"HandshakeId":"`+aws.ToString(h.Id)+`"}`)), "AcceptHandshake")
	// The input is not looked at: a missing operation has no rules to apply.
	wantNotImplemented(t, tg.raw(recipientAcct, "AcceptHandshake", []byte(`{"HandshakeId":"BAD"}`)), "AcceptHandshake")
	wantNotImplemented(t, tg.raw(mgmtAcct, "ListAccounts", []byte(`{}`)), "ListAccounts")

	// aws-sdk-go-v2 sees InternalFailure.
	_, err := tg.client(recipientAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	wantCode(t, err, "InternalFailure")

	// Nothing happened: the invitation is still open, and the other
	// operations work.
	if got, err := tg.describe(recipientAcct, aws.ToString(h.Id)); err != nil || got.State != types.HandshakeStateOpen {
		t.Errorf("after the refused accept: %v %v", got, err)
	}
	if _, err := tg.client(recipientAcct).DeclineHandshake(ctx(t), &organizations.DeclineHandshakeInput{HandshakeId: h.Id}); err != nil {
		t.Errorf("DeclineHandshake: %v", err)
	}
	var info reftarget.Info
	tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &info)
	if !slices.Equal(info.Without, []string{"AcceptHandshake", "ListAccounts"}) || info.ImplicitOrganizations {
		t.Errorf("info: without %v, implicit %v", info.Without, info.ImplicitOrganizations)
	}
}

func TestFullTargetReportsNoMissingOperations(t *testing.T) {
	tg := newTarget(t)
	var raw map[string]json.RawMessage
	tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &raw)
	if string(raw["without"]) != "[]" || string(raw["implicitOrganizations"]) != "false" {
		t.Errorf("info of the full target: without %s, implicitOrganizations %s", raw["without"], raw["implicitOrganizations"])
	}
}

func TestUnknownOperationsInWithoutAreAnError(t *testing.T) {
	for _, without := range [][]string{{"AcceptHandshakes"}, {"AcceptHandshake", ""}, {"acceptHandshake"}, {"AWSOrganizationsV20161128.AcceptHandshake"}} {
		srv, err := reftarget.NewChecked(reftarget.Options{Without: without})
		if err == nil || srv != nil {
			t.Errorf("NewChecked(Without %q): %v, %v; want an error", without, srv, err)
			continue
		}
		bad := without[len(without)-1]
		if !strings.Contains(err.Error(), `"`+bad+`"`) || !strings.Contains(err.Error(), "AcceptHandshake") || strings.Contains(err.Error(), "\n") {
			t.Errorf("NewChecked(Without %q): error %q does not name the bad entry and the operations on one line", without, err)
		}
		if verr := (reftarget.Options{Without: without}).Validate(); verr == nil || verr.Error() != err.Error() {
			t.Errorf("Validate(Without %q) = %v, want %v", without, verr, err)
		}
	}
	if _, err := reftarget.NewChecked(reftarget.Options{Without: []string{"DeleteOrganization", "DeleteOrganization"}}); err != nil {
		t.Errorf("a repeated name: %v", err)
	}
}

func TestImplicitOrganizations(t *testing.T) {
	tg := newTargetWith(t, reftarget.Options{ImplicitOrganizations: true})
	wantNotImplemented(t, tg.raw(mgmtAcct, "CreateOrganization", []byte(`{"FeatureSet":"ALL"}`)), "CreateOrganization")

	// The first call that needs an organization creates one.
	org := describeOrg(t, tg, mgmtAcct)
	if aws.ToString(org.MasterAccountId) != mgmtAcct || org.FeatureSet != types.OrganizationFeatureSetAll {
		t.Fatalf("implicit organization %+v", org)
	}
	if again := describeOrg(t, tg, mgmtAcct); aws.ToString(again.Id) != aws.ToString(org.Id) {
		t.Fatalf("a second call made another organization: %s then %s", aws.ToString(org.Id), aws.ToString(again.Id))
	}
	accounts, err := tg.client(mgmtAcct).ListAccounts(ctx(t), &organizations.ListAccountsInput{})
	if err != nil || len(accounts.Accounts) != 1 || aws.ToString(accounts.Accounts[0].Id) != mgmtAcct ||
		accounts.Accounts[0].JoinedMethod != types.AccountJoinedMethodCreated {
		t.Fatalf("ListAccounts: %v %+v", err, accounts)
	}

	// The invited account lists, describes and accepts without being given
	// an organization first, and then belongs to the inviter's.
	h := tg.invite(mgmtAcct, recipientAcct)
	if got := tg.received(recipientAcct, ""); len(got) != 1 || aws.ToString(got[0].Id) != aws.ToString(h.Id) {
		t.Fatalf("the invitee lists %+v", got)
	}
	if _, err := tg.describe(recipientAcct, aws.ToString(h.Id)); err != nil {
		t.Fatal(err)
	}
	tg.accept(recipientAcct, aws.ToString(h.Id))
	if got := describeOrg(t, tg, recipientAcct); aws.ToString(got.Id) != aws.ToString(org.Id) {
		t.Errorf("the member sees organization %s, want %s", aws.ToString(got.Id), aws.ToString(org.Id))
	}
	// A member is never given an organization of its own.
	_, err = tg.client(recipientAcct).ListAccounts(ctx(t), &organizations.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = tg.client(recipientAcct).InviteAccountToOrganization(ctx(t), &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(outsiderAcct), Type: types.HandshakePartyTypeAccount},
	})
	wantCode(t, err, "AccessDeniedException")

	// Handshake operations, LeaveOrganization and DeleteOrganization never
	// create one.
	oc := tg.client(outsiderAcct)
	_, err = oc.DescribeHandshake(ctx(t), &organizations.DescribeHandshakeInput{HandshakeId: h.Id})
	wantCode(t, err, "HandshakeNotFoundException")
	_, err = oc.AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	wantCode(t, err, "HandshakeNotFoundException")
	_, err = oc.DeclineHandshake(ctx(t), &organizations.DeclineHandshakeInput{HandshakeId: h.Id})
	wantCode(t, err, "HandshakeNotFoundException")
	_, err = oc.CancelHandshake(ctx(t), &organizations.CancelHandshakeInput{HandshakeId: h.Id})
	wantCode(t, err, "HandshakeNotFoundException")
	if _, err := oc.ListHandshakesForAccount(ctx(t), &organizations.ListHandshakesForAccountInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = oc.DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	_, err = oc.LeaveOrganization(ctx(t), &organizations.LeaveOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")

	// After DeleteOrganization, the next management call makes a new one.
	if _, err := tg.client(mgmtAcct).RemoveAccountFromOrganization(ctx(t), &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(recipientAcct)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.client(mgmtAcct).DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if next := describeOrg(t, tg, mgmtAcct); aws.ToString(next.Id) == aws.ToString(org.Id) {
		t.Errorf("after DeleteOrganization the account still sees %s", aws.ToString(org.Id))
	}

	var info reftarget.Info
	tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &info)
	if !info.ImplicitOrganizations || !slices.Equal(info.Without, []string{"CreateOrganization"}) {
		t.Errorf("info: implicit %v, without %v", info.ImplicitOrganizations, info.Without)
	}
}

// TestEveryManagementCallCreatesTheOrganization: each operation that needs
// the caller's organization, called first by an account in none, succeeds
// or fails as it would for the management account of a fresh all-features
// organization, and leaves the caller managing one.
func TestEveryManagementCallCreatesTheOrganization(t *testing.T) {
	tg := newTargetWith(t, reftarget.Options{ImplicitOrganizations: true})
	for i, tc := range []struct {
		op, body, code string
	}{
		{"DescribeOrganization", `{}`, ""},
		{"ListAccounts", `{}`, ""},
		{"InviteAccountToOrganization", `{"Target":{"Id":"` + recipientAcct + `","Type":"ACCOUNT"}}`, ""},
		{"EnableAllFeatures", `{}`, "HandshakeConstraintViolationException"}, // it has all features already
		{"ListHandshakesForOrganization", `{}`, ""},
		{"RemoveAccountFromOrganization", `{"AccountId":"` + outsiderAcct + `"}`, "AccountNotFoundException"},
	} {
		account := cycleAccount(900 + i)
		r := tg.raw(account, tc.op, []byte(tc.body))
		got, _ := r.body["__type"].(string)
		if (tc.code == "" && r.status != http.StatusOK) || got != tc.code {
			t.Errorf("%s by a fresh account: %d %s, want %q", tc.op, r.status, r.text, tc.code)
		}
		_, err := tg.client(account).LeaveOrganization(ctx(t), &organizations.LeaveOrganizationInput{})
		wantCode(t, err, "MasterCannotLeaveOrganizationException")
	}
}
