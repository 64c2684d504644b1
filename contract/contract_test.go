package contract_test

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// TestConformance runs every check against ORGCONFORM_ENDPOINT when set,
// otherwise against the embedded reference target.
func TestConformance(t *testing.T) {
	url := os.Getenv("ORGCONFORM_ENDPOINT")
	if url == "" {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
		t.Cleanup(srv.Close)
		url = srv.URL
	}
	tgt, err := endpoint.New(endpoint.Config{Endpoint: url})
	require.NoError(t, err)
	contract.Run(t, tgt, contract.Options{Parallel: 8})
}
