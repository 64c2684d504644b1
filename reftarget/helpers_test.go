package reftarget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgconform/orgconform/reftarget"
)

// Accounts used by the tests; every 12-digit account exists implicitly.
const (
	mgmtAcct      = "111111111111"
	recipientAcct = "222222222222"
	memberAcct    = "333333333333"
	outsiderAcct  = "444444444444"
	otherMgmtAcct = "555555555555"
)

// target is a reference target on an httptest server.
type target struct {
	t   testing.TB
	url string
}

// newTarget starts a fresh reference target for the test.
func newTarget(t testing.TB) *target {
	t.Helper()
	ts := httptest.NewServer(reftarget.New(reftarget.Options{}))
	t.Cleanup(ts.Close)
	return &target{t: t, url: ts.URL}
}

// client returns an Organizations client whose caller is account.
func (tg *target) client(account string) *organizations.Client {
	return organizations.New(organizations.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(tg.url),
		Credentials:  credentials.NewStaticCredentialsProvider(account, "test", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// ctx returns a context bounded by a short timeout.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// errCode returns the AWS error code of err ("" for nil).
func errCode(err error) string {
	if err == nil {
		return ""
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}

// day is 24 hours.
const day = 24 * time.Hour

// errReason returns the Reason of a HandshakeConstraintViolationException,
// ConstraintViolationException or InvalidInputException ("" otherwise).
func errReason(err error) string {
	if e, ok := errorAs[*types.HandshakeConstraintViolationException](err); ok {
		return string(e.Reason)
	}
	if e, ok := errorAs[*types.ConstraintViolationException](err); ok {
		return string(e.Reason)
	}
	if e, ok := errorAs[*types.InvalidInputException](err); ok {
		return string(e.Reason)
	}
	return ""
}

// enableAllFeatures starts enabling all features in mgmt's organization and
// returns the ENABLE_ALL_FEATURES request.
func (tg *target) enableAllFeatures(mgmt string) *types.Handshake {
	tg.t.Helper()
	out, err := tg.client(mgmt).EnableAllFeatures(ctx(tg.t), &organizations.EnableAllFeaturesInput{})
	if err != nil {
		tg.t.Fatalf("EnableAllFeatures by %s: %v", mgmt, err)
	}
	return out.Handshake
}

// createOrg creates an organization managed by account.
func (tg *target) createOrg(account string, fs types.OrganizationFeatureSet) *types.Organization {
	tg.t.Helper()
	out, err := tg.client(account).CreateOrganization(ctx(tg.t), &organizations.CreateOrganizationInput{FeatureSet: fs})
	if err != nil {
		tg.t.Fatalf("CreateOrganization by %s: %v", account, err)
	}
	return out.Organization
}

// invite sends an invitation to account from the organization mgmt manages.
func (tg *target) invite(mgmt, account string) *types.Handshake {
	tg.t.Helper()
	out, err := tg.client(mgmt).InviteAccountToOrganization(ctx(tg.t), &organizations.InviteAccountToOrganizationInput{
		Target: &types.HandshakeParty{Id: aws.String(account), Type: types.HandshakePartyTypeAccount},
	})
	if err != nil {
		tg.t.Fatalf("InviteAccountToOrganization %s -> %s: %v", mgmt, account, err)
	}
	return out.Handshake
}

// accept accepts handshake id as account and fails the test on error.
func (tg *target) accept(account, id string) *types.Handshake {
	tg.t.Helper()
	out, err := tg.client(account).AcceptHandshake(ctx(tg.t), &organizations.AcceptHandshakeInput{HandshakeId: aws.String(id)})
	if err != nil {
		tg.t.Fatalf("AcceptHandshake %s by %s: %v", id, account, err)
	}
	return out.Handshake
}

// join invites account into mgmt's organization and accepts.
func (tg *target) join(mgmt, account string) {
	tg.t.Helper()
	tg.accept(account, aws.ToString(tg.invite(mgmt, account).Id))
}

// describe returns handshake id as seen by account.
func (tg *target) describe(account, id string) (*types.Handshake, error) {
	out, err := tg.client(account).DescribeHandshake(ctx(tg.t), &organizations.DescribeHandshakeInput{HandshakeId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	return out.Handshake, nil
}

// received lists every handshake of action addressed to account.
func (tg *target) received(account string, action types.ActionType) []types.Handshake {
	tg.t.Helper()
	var all []types.Handshake
	p := organizations.NewListHandshakesForAccountPaginator(tg.client(account), &organizations.ListHandshakesForAccountInput{
		Filter: &types.HandshakeFilter{ActionType: action},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(tg.t))
		if err != nil {
			tg.t.Fatalf("ListHandshakesForAccount by %s: %v", account, err)
		}
		all = append(all, page.Handshakes...)
	}
	return all
}

// advance moves the target's clock forward through the control endpoint.
func (tg *target) advance(d time.Duration) float64 {
	tg.t.Helper()
	var out struct{ Now float64 }
	body := fmt.Sprintf(`{"advance_seconds": %g}`, d.Seconds())
	status := tg.controlJSON(http.MethodPost, "/_orgconform/clock", body, &out)
	if status != http.StatusOK {
		tg.t.Fatalf("advance clock: status %d", status)
	}
	return out.Now
}

// controlJSON calls a control endpoint and decodes its JSON answer.
func (tg *target) controlJSON(method, path, body string, into any) int {
	tg.t.Helper()
	req, err := http.NewRequestWithContext(ctx(tg.t), method, tg.url+path, bytes.NewBufferString(body))
	if err != nil {
		tg.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(data, into); err != nil {
			tg.t.Fatalf("%s %s: decoding %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// rawResponse is a raw awsJson1_1 answer.
type rawResponse struct {
	status int
	header http.Header
	body   map[string]any
	text   string
}

// raw posts body with X-Amz-Target target (the operation name is prefixed
// unless it contains a dot) as account ("" sends no Authorization header).
func (tg *target) raw(account, op string, body []byte) rawResponse {
	tg.t.Helper()
	req, err := http.NewRequestWithContext(ctx(tg.t), http.MethodPost, tg.url+"/", bytes.NewReader(body))
	if err != nil {
		tg.t.Fatal(err)
	}
	target := op
	if !bytes.ContainsRune([]byte(op), '.') {
		target = "AWSOrganizationsV20161128." + op
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if account != "" {
		req.Header.Set("Authorization", signedLooking(account))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("POST %s: %v", op, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := rawResponse{status: resp.StatusCode, header: resp.Header, text: string(data)}
	_ = json.Unmarshal(data, &out.body)
	return out
}

// signedLooking is a SigV4-shaped Authorization header for account.
func signedLooking(account string) string {
	return "AWS4-HMAC-SHA256 Credential=" + account + "/20250101/us-east-1/organizations/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"
}

// errorAs is errors.AsType with a nil-safe error.
func errorAs[E error](err error) (E, bool) {
	if err == nil {
		var zero E
		return zero, false
	}
	return errors.AsType[E](err)
}
