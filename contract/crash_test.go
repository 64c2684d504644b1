package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// TestACrashIsNotUnsupported: a target that implements AcceptHandshake but
// crashes (an HTML 500) on a well-formed id it never issued. The crash
// fails that check; it does not make AcceptHandshake "not implemented",
// so the other AcceptHandshake checks still run and pass.
func TestACrashIsNotUnsupported(t *testing.T) {
	ref := reftarget.New(reftarget.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".AcceptHandshake") && wellFormed.Match(body) {
			rec := httptest.NewRecorder()
			ref.ServeHTTP(rec, r)
			if rec.Code == 400 && strings.Contains(rec.Body.String(), "HandshakeNotFoundException") {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(500)
				w.Write([]byte("<!DOCTYPE html><html><title>500 Internal Server Error</title></html>"))
				return
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: 4,
		Run: regexp.MustCompile(`^(input/AcceptHandshake/(unknown-id|upper-case)|accept/success/(response|sdk))$`)})
	got := statuses(rep)
	assert.Equal(t, map[string]check.Status{
		"input/AcceptHandshake/unknown-id": check.Fail,
		"input/AcceptHandshake/upper-case": check.Pass,
		"accept/success/response":          check.Pass,
		"accept/success/sdk":               check.Pass,
	}, got)
	for _, c := range rep.Capabilities {
		if c.Operation == "AcceptHandshake" {
			assert.Equal(t, check.Implemented, c.Status, "the malformed-id probe shows it is implemented: %s", c.Evidence)
		}
	}
}

// wellFormed matches a body with a well-formed HandshakeId.
var wellFormed = regexp.MustCompile(`"HandshakeId":"h-[0-9a-z]{8,32}"`)

// TestCrashOnEveryRefusalIsNotUnsupported: a target whose every error
// answer is an HTML 500 (its error handler raises) gets HTML 500s for
// every capability probe, as an operation it lacks would. One valid call
// of each such operation shows it implemented, so the crashes fail the
// checks that meet them instead of making them unsupported; an operation
// that crashes on valid calls too stays not implemented.
func TestCrashOnEveryRefusalIsNotUnsupported(t *testing.T) {
	ref := reftarget.New(reftarget.Options{Fault: "errors-crash"}) // every refusal an HTML 500
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".DeclineHandshake") {
			// Lacking, as moto lacks it: an HTML 500 for every call.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(500)
			w.Write([]byte("<!doctype html><html><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>"))
			return
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: 4,
		Run: regexp.MustCompile(`^(input/(Accept|Decline)Handshake/unknown-id|accept/success/response)$`)})
	got := statuses(rep)
	assert.Equal(t, map[string]check.Status{
		"input/AcceptHandshake/unknown-id":  check.Fail,
		"input/DeclineHandshake/unknown-id": check.Unsupported,
		"accept/success/response":           check.Pass,
	}, got)
	caps := map[string]check.OpCapability{}
	for _, c := range rep.Capabilities {
		caps[c.Operation] = c
	}
	for _, op := range []string{"AcceptHandshake", "CancelHandshake", "CreateOrganization", "DescribeHandshake", "EnableAllFeatures",
		"InviteAccountToOrganization", "LeaveOrganization", "ListAccounts", "RemoveAccountFromOrganization", "DeleteOrganization"} {
		assert.Equal(t, check.Implemented, caps[op].Status, op)
		assert.Contains(t, caps[op].Evidence, "a valid call answered 200 success", op)
	}
	assert.Equal(t, check.NotImplemented, caps["DeclineHandshake"].Status)
	assert.Empty(t, rep.Cleanup, "the confirming calls clean up after themselves")
}

// TestCrashConfirmationLeavesNothingBehind: on a target that creates
// organizations implicitly and crashes on every refusal, the confirming
// calls leave no organization behind, and EnableAllFeatures, which no
// valid call can reach there (an implicit organization has all features),
// stays not implemented rather than being judged on an invalid call.
func TestCrashConfirmationLeavesNothingBehind(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{ImplicitOrganizations: true, Fault: "errors-crash"}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 7})
	require.NoError(t, err)
	rep := contract.Execute(t.Context(), tgt, contract.Options{Run: regexp.MustCompile(`^accept/success/response$`)})
	caps := map[string]check.OpCapability{}
	for _, c := range rep.Capabilities {
		caps[c.Operation] = c
	}
	assert.Equal(t, check.Implemented, caps["AcceptHandshake"].Status, caps["AcceptHandshake"].Evidence)
	assert.Equal(t, check.NotImplemented, caps["EnableAllFeatures"].Status, caps["EnableAllFeatures"].Evidence)
	assert.Empty(t, rep.Cleanup)
	// A fresh target of the same seed mints the accounts the run minted.
	again, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 7})
	require.NoError(t, err)
	for _, role := range []string{"management", "consolidated"} {
		p := again.MintFor("capabilities/confirm/"+role, role)
		r := tgt.Raw(t.Context(), p, "DeleteOrganization", []byte(`{}`))
		assert.False(t, r.OK(), "the %s account of the confirmation still had an organization to delete", role)
	}
}
