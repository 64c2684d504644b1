package main

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/reftarget"
)

// TestRunLeavesOtherClientsTimeAlone: a full run moves only its own
// organizations' clocks, so an invitation another client of the same
// reference target made before the run is still OPEN after it, and the
// target's base clock has not moved.
func TestRunLeavesOtherClientsTimeAlone(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	ctx := context.Background()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	mgmt, rec := tgt.Mint("management"), tgt.Mint("recipient")
	require.True(t, tgt.Raw(ctx, mgmt, "CreateOrganization", []byte(`{"FeatureSet":"ALL"}`)).OK())
	r := tgt.Raw(ctx, mgmt, "InviteAccountToOrganization", []byte(`{"Target":{"Type":"ACCOUNT","Id":"`+rec.AccountID+`"}}`))
	require.True(t, r.OK(), r.Summary())
	h, err := oracle.DecodeHandshake(r.Body)
	require.NoError(t, err)
	before, ok, err := tgt.Clock(ctx, "")
	require.True(t, ok)
	require.NoError(t, err)

	code, out, errOut := runRunner(t, "--endpoint", srv.URL, "--quiet")
	require.Equal(t, 0, code, out+errOut)

	r = tgt.Raw(ctx, rec, "DescribeHandshake", []byte(`{"HandshakeId":"`+h.Id+`"}`))
	require.True(t, r.OK(), r.Summary())
	after, err := oracle.DecodeHandshake(r.Body)
	require.NoError(t, err)
	assert.Equal(t, "OPEN", after.State, "the run expired another client's invitation")
	now, _, err := tgt.Clock(ctx, "")
	require.NoError(t, err)
	assert.Less(t, now.Sub(before).Hours(), 1.0, "the base clock moved by %s", now.Sub(before))
}
