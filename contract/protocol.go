package contract

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/endpoint"
)

// successContentTypes are the Content-Types a success response may carry:
// the awsJson1_1 type, and application/json, which the reference page's
// sample response shows (recorded as drift in golden/README.md).
var successContentTypes = []string{"application/x-amz-json-1.1", "application/json"}

// protocolChecks are wire-level scenarios: headers, unknown operations,
// missing authentication.
func protocolChecks() []Check {
	mk := func(id, op string, needs []string, run func(*T)) Check {
		return Check{ID: "protocol/" + id, Group: "protocol", Operation: op, Needs: needs, run: run}
	}
	return []Check{
		mk("content-type/success", "CreateOrganization", []string{"CreateOrganization"}, func(t *T) { t.contentType(t.okResponse()) }),
		mk("content-type/error", "AcceptHandshake", []string{"AcceptHandshake"}, func(t *T) { t.contentType(t.errResponse()) }),
		mk("request-id/success", "CreateOrganization", []string{"CreateOrganization"}, func(t *T) { t.requestID(t.okResponse()) }),
		mk("request-id/error", "AcceptHandshake", []string{"AcceptHandshake"}, func(t *T) { t.requestID(t.errResponse()) }),
		mk("unknown-operation", "", nil, (*T).unknownOperation),
		mk("missing-authentication", "AcceptHandshake", nil, (*T).missingAuth),
		mk("oversized-request", "AcceptHandshake", []string{"AcceptHandshake"}, (*T).oversized),
	}
}

// okResponse returns a successful CreateOrganization response.
func (t *T) okResponse() *endpoint.Response {
	return t.newOrg("ALL").created
}

// errResponse returns a modeled error response: AcceptHandshake of an
// unknown, well-formed id.
func (t *T) errResponse() *endpoint.Response {
	o := t.newOrg("ALL")
	r := t.call(o.mgmt, "AcceptHandshake", map[string]string{"HandshakeId": "h-" + randomAlnum(16)})
	t.unsupportedIf(r)
	if r.Kind != endpoint.KindError {
		t.Failf(r, "HandshakeNotFoundException", "%s", r.Summary())
	}
	return r
}

func (t *T) contentType(r *endpoint.Response) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(successContentTypes, mt) {
		t.Failf(r, "Content-Type application/x-amz-json-1.1 (or application/json, as the reference sample shows)", "Content-Type %q", r.Header.Get("Content-Type"))
	}
}

func (t *T) requestID(r *endpoint.Response) {
	if r.Header.Get("X-Amzn-Requestid") == "" {
		t.Failf(r, "an x-amzn-RequestId header", "none")
	}
}

// unknownOperation sends a well-signed request naming no operation.
func (t *T) unknownOperation() {
	p := t.tgt.Mint(roleOutsider)
	r := t.retry("NoSuchOperation", []string{catUnknownOp}, func() *endpoint.Response {
		return t.tgt.RawRequest(t.ctx, &p, contract.Service.TargetPrefix+".NoSuchOperation", nil, []byte("{}"))
	})
	if r.Kind == endpoint.KindNonJSON && r.Status >= 400 && r.Status < 500 {
		t.Failf(r, expectation{Common: []string{catUnknownOp}}.String(), "HTTP %d without an error code: %s", r.Status, r.Summary())
	}
	t.judgeError(r, expectation{Common: []string{catUnknownOp}})
}

// missingAuth sends AcceptHandshake with no Authorization header.
func (t *T) missingAuth() {
	body := []byte(`{"HandshakeId":"h-` + randomAlnum(12) + `"}`)
	r := t.retry("AcceptHandshake", []string{catAuth}, func() *endpoint.Response {
		return t.tgt.RawRequest(t.ctx, nil, contract.Service.TargetPrefix+".AcceptHandshake", http.Header{}, body)
	})
	t.judgeError(r, expectation{Common: []string{catAuth}, Why: "the request carries no credentials"})
}

// oversized sends AcceptHandshake with a 2 MiB HandshakeId: the target may
// refuse the body as too large, or read it and refuse the id.
func (t *T) oversized() {
	p := t.tgt.Mint(roleOutsider)
	body := []byte(`{"HandshakeId":"h-` + strings.Repeat("a", 2<<20) + `"}`)
	r := t.send(p, "AcceptHandshake", body, catSize, catDeserialize)
	t.judgeError(r, expectation{
		Codes:  map[string][]string{"InvalidInputException": {"MAX_LENGTH_EXCEEDED", "INVALID_PATTERN"}},
		Common: []string{catSize, catDeserialize},
		Why:    "a 2 MiB request body",
	})
}
