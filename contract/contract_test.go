package contract_test

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/target"
)

// TestConformance runs every check against ORGCONFORM_ENDPOINT when set,
// otherwise against the embedded reference target.
func TestConformance(t *testing.T) {
	endpoint := os.Getenv("ORGCONFORM_ENDPOINT")
	if endpoint == "" {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
		t.Cleanup(srv.Close)
		endpoint = srv.URL
	}
	tgt, err := target.New(target.Config{Endpoint: endpoint})
	require.NoError(t, err)
	contract.Run(t, tgt)
}
