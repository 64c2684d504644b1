package contract

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// successContentTypes are the Content-Types a success response may carry:
// the awsJson1_1 type, and application/json, which the reference page's
// sample response shows (recorded as drift in golden/README.md).
var successContentTypes = []string{"application/x-amz-json-1.1", "application/json"}

// protocolChecks are wire-level scenarios: headers, unknown operations,
// missing authentication, oversized requests. None needs an organization.
func protocolChecks() []check.Check {
	mk := func(id, op string, ops []string, run func(*check.T)) check.Check {
		return check.Check{ID: "protocol/" + id, Group: "protocol", Operation: op,
			Needs: check.Needs{Ops: ops, Principals: need{fixture.Outsider: 1}}, Run: run}
	}
	return []check.Check{
		mk("content-type/success", "", nil, func(t *check.T) { contentType(t, okResponse(t)) }),
		mk("content-type/error", "", nil, func(t *check.T) { contentType(t, errResponse(t)) }),
		mk("request-id/success", "", nil, func(t *check.T) { requestID(t, okResponse(t)) }),
		mk("request-id/error", "", nil, func(t *check.T) { requestID(t, errResponse(t)) }),
		mk("unknown-operation", "", nil, unknownOperation),
		mk("missing-authentication", "AcceptHandshake", nil, missingAuth),
		mk("oversized-request", "AcceptHandshake", []string{"AcceptHandshake"}, oversized),
		{ID: "protocol/caller-identity", Group: "protocol", Operation: "DescribeOrganization",
			Needs: check.Needs{Principals: need{fixture.Management: 1}}, Run: callerIdentity},
	}
}

// firstImplemented returns the first of ops not known to be unimplemented,
// or blocks the check.
func firstImplemented(t *check.T, ops ...string) string {
	var lacks []string
	for _, op := range ops {
		oc := t.Session().Caps().Of(op)
		if oc.Status != check.NotImplemented {
			return op
		}
		lacks = append(lacks, op+" ("+oc.Evidence+")")
	}
	t.Blockedf(strings.Join(ops, ", ")+" not implemented", "%s", strings.Join(lacks, "; "))
	return ""
}

// okResponse returns a success answer with no side effect: an outsider's
// ListHandshakesForAccount, or where the target lacks it, an organization's
// DescribeOrganization.
func okResponse(t *check.T) *endpoint.Response {
	p := t.Principal(fixture.Outsider)
	switch firstImplemented(t, "ListHandshakesForAccount", "DescribeOrganization") {
	case "ListHandshakesForAccount":
		return t.Require(t.Call(p, "ListHandshakesForAccount", nil), "ListHandshakesForAccount")
	default:
		o := fixture.OrganizationOf(t, p, fixture.AllFeatures)
		return t.Require(t.Call(o.Mgmt, "DescribeOrganization", nil), "DescribeOrganization")
	}
}

// errResponse returns a modeled error answer: a handshake operation on a
// well-formed id nobody issued.
func errResponse(t *check.T) *endpoint.Response {
	op := firstImplemented(t, "AcceptHandshake", "DescribeHandshake", "DeclineHandshake")
	r := t.Call(t.Principal(fixture.Outsider), op, map[string]string{"HandshakeId": unknownID()})
	t.Unanswered(r)
	if r.Kind != endpoint.KindError {
		t.Failf(r, op+" of an unknown id answers HandshakeNotFoundException", "%s", r.Summary())
	}
	return r
}

func contentType(t *check.T, r *endpoint.Response) {
	t.Source("reference: the sample response; awsJson1_1 (model)")
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(successContentTypes, mt) {
		t.Failf(r, r.Op+": Content-Type application/x-amz-json-1.1 (or application/json, as the reference sample shows)", "Content-Type %q", r.Header.Get("Content-Type"))
	}
}

func requestID(t *check.T, r *endpoint.Response) {
	t.Source("reference: the sample response carries x-amzn-RequestId")
	if r.Header.Get("X-Amzn-Requestid") == "" {
		t.Failf(r, r.Op+": an x-amzn-RequestId header", "none")
	}
}

// unknownOperation sends a well-signed request naming no operation: the
// answer must be UnknownOperationException, and anything else — an HTML
// page, a "not implemented" text, a generic error — fails.
func unknownOperation(t *check.T) {
	p := t.Principal(fixture.Outsider)
	r := t.Do("NoSuchOperation", []string{oracle.CatUnknownOp}, func(ctx context.Context) *endpoint.Response {
		return t.Target().RawRequest(ctx, &p, spec.Service.TargetPrefix+".NoSuchOperation", nil, []byte("{}"))
	})
	e := oracle.Expectation{Common: []string{oracle.CatUnknownOp}, Source: "model: awsJson1_1 services answer an unknown X-Amz-Target with UnknownOperationException"}
	if v := oracle.Judge(e, check.Answer(r)); !v.Pass {
		t.Fail(v, e.Source)
	}
}

// callerIdentity reaches an organization as the management account and
// reads who manages it: the account the request's credentials belong to.
// A target that serves every caller as one account (moto answers as
// 123456789012 whatever the credentials say) names that account, and
// every scenario with two parties is then meaningless on it: this check
// says so in one line.
func callerIdentity(t *check.T) {
	o := fixture.Organization(t, fixture.AllFeatures)
	r := o.Created
	if r == nil {
		r = t.Require(t.Call(o.Mgmt, "DescribeOrganization", nil), "DescribeOrganization")
	}
	var out struct {
		Organization struct{ MasterAccountId string }
	}
	t.Decode(r, &out)
	t.Source("SigV4: a request is made as the account its credentials belong to; model: Organization.MasterAccountId is the management account's id")
	switch got := out.Organization.MasterAccountId; got {
	case o.Mgmt.AccountID:
	case "":
		t.SkipCause("no MasterAccountId", "%s names no MasterAccountId (the model does not require it): no account to compare with the caller's", r.Op)
	default:
		t.Failf(r, fmt.Sprintf("%s as account %s: an organization managed by %s", r.Op, o.Mgmt.AccountID, o.Mgmt.AccountID),
			"managed by %s: the target serves the caller as another account", got)
	}
}

// missingAuth sends AcceptHandshake with no Authorization header.
func missingAuth(t *check.T) {
	body := []byte(`{"HandshakeId":"` + unknownID() + `"}`)
	r := t.Do("AcceptHandshake", []string{oracle.CatAuth}, func(ctx context.Context) *endpoint.Response {
		return t.Target().RawRequest(ctx, nil, spec.Service.TargetPrefix+".AcceptHandshake", http.Header{}, body)
	})
	e := oracle.Expectation{Common: []string{oracle.CatAuth}, Why: "the request carries no credentials",
		Source: "model: every AWS action requires SigV4 authentication (common errors)"}
	if v := oracle.Judge(e, check.Answer(r)); !v.Pass {
		t.Unanswered(r)
		t.Fail(v, e.Source)
	}
}

// oversized sends AcceptHandshake with a 2 MiB HandshakeId: the target may
// refuse the body as too large, or read it and refuse the id.
func oversized(t *check.T) {
	p := t.Principal(fixture.Outsider)
	body := []byte(`{"HandshakeId":"h-` + strings.Repeat("a", 2<<20) + `"}`)
	r := t.Send(p, "AcceptHandshake", body, oracle.CatSize, oracle.CatDeserialize)
	t.Expect(r, oracle.Invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN").Or(oracle.CatSize, oracle.CatDeserialize).Because("a 2 MiB request body"))
}
