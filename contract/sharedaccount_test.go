package contract_test

import (
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

// TestSharedAccountRunsSerially: a target that serves every caller as one
// account (moto does) is found out before the checks, and the run is then
// serial whatever --parallel says: run at 8 it gives every check the
// verdict a serial run gives, and protocol/caller-identity fails naming
// the account. At 8 without the flag, scenarios share that account's
// organization and their verdicts follow the timing (seen on moto:
// setup steps failing with AWSOrganizationsNotInUseException because a
// concurrent scenario deleted "its" organization).
func TestSharedAccountRunsSerially(t *testing.T) {
	verdicts := func(parallel int) (map[string]check.Status, *check.Report) {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{SharedAccount: true}))
		defer srv.Close()
		tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
		require.NoError(t, err)
		rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: parallel})
		return statuses(rep), rep
	}
	serial, _ := verdicts(1)
	parallel, rep := verdicts(8)
	assert.Equal(t, serial, parallel, "verdicts at --parallel 8 and 1 on a target with one account for all")
	f := flagOf(t, rep, check.FlagSharedAccount)
	assert.True(t, f.On, "shared-account: %s", f.Evidence)
	assert.Contains(t, f.Evidence, reftarget.SharedAccountID)
	assert.Contains(t, f.Evidence, "a second fresh account is described as in that organization")
	assert.Equal(t, check.Fail, parallel["protocol/caller-identity"])
	assert.False(t, flagOf(t, rep, check.FlagImplicitOrganizations).On)
}

// TestSharedAccountLeftInAnOrganization: on a long-lived target that
// serves one account, an earlier run (or client) may have left that
// account in an organization, so a fresh account's DescribeOrganization
// succeeds. That is told apart from implicit organizations (the
// organization is another account's), the organization is deleted before
// the checks, and the verdicts are those of a clean target.
func TestSharedAccountLeftInAnOrganization(t *testing.T) {
	run := func(leftover bool) (map[string]check.Status, *check.Report) {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{SharedAccount: true}))
		defer srv.Close()
		if leftover {
			req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"FeatureSet":"ALL"}`))
			require.NoError(t, err)
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
		}
		tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
		require.NoError(t, err)
		rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: 8})
		return statuses(rep), rep
	}
	clean, _ := run(false)
	left, rep := run(true)
	assert.Equal(t, clean, left, "verdicts with and without an organization left behind")
	f := flagOf(t, rep, check.FlagSharedAccount)
	assert.True(t, f.On, "shared-account: %s", f.Evidence)
	assert.Contains(t, f.Evidence, "deleted before the checks")
	assert.False(t, flagOf(t, rep, check.FlagImplicitOrganizations).On, "an organization of another account is not an implicit one")
}

// TestSharedAccountWithImplicitOrganizations: a target that serves one
// account and gives it an organization on its first call is both: the
// organization a fresh account is described as in is another account's,
// and after its deletion another fresh account is described as in one
// again.
func TestSharedAccountWithImplicitOrganizations(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{SharedAccount: true, ImplicitOrganizations: true}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
	require.NoError(t, err)
	rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: 4, Run: regexp.MustCompile(`^protocol/caller-identity$`)})
	f := flagOf(t, rep, check.FlagSharedAccount)
	assert.True(t, f.On, "shared-account: %s", f.Evidence)
	assert.Contains(t, f.Evidence, "deleted before the checks")
	i := flagOf(t, rep, check.FlagImplicitOrganizations)
	assert.True(t, i.On, "implicit-organizations: %s", i.Evidence)
	assert.Equal(t, map[string]check.Status{"protocol/caller-identity": check.Fail}, statuses(rep))
}

// TestOwnAccountsAreNotShared: the reference target, in its default and
// implicit-organizations modes, tells callers apart.
func TestOwnAccountsAreNotShared(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{ImplicitOrganizations: implicit}))
		tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
		require.NoError(t, err)
		rep := contract.Execute(t.Context(), tgt, contract.Options{Parallel: 4, Run: regexp.MustCompile(`^protocol/caller-identity$`)})
		srv.Close()
		f := flagOf(t, rep, check.FlagSharedAccount)
		assert.False(t, f.On, "implicit=%v: %s", implicit, f.Evidence)
		assert.NotContains(t, f.Evidence, "unknown", "implicit=%v: the probe reached a verdict", implicit)
		assert.Equal(t, implicit, flagOf(t, rep, check.FlagImplicitOrganizations).On)
		assert.Equal(t, map[string]check.Status{"protocol/caller-identity": check.Pass}, statuses(rep), "implicit=%v", implicit)
	}
}

// statuses returns each result's status by check id.
func statuses(rep *check.Report) map[string]check.Status {
	out := map[string]check.Status{}
	for _, r := range rep.Results {
		out[r.ID] = r.Status
	}
	return out
}

// flagOf returns the target-wide flag name of rep, failing the test when
// the run did not set it.
func flagOf(t *testing.T, rep *check.Report, name string) check.Flag {
	t.Helper()
	for _, f := range rep.Flags {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no flag %s in %v", name, rep.Flags)
	return check.Flag{}
}
