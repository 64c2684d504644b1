package fuzz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// testTarget is ORGCONFORM_ENDPOINT when set, else a fresh reference target.
func testTarget(t testing.TB) *endpoint.Target {
	url := os.Getenv("ORGCONFORM_ENDPOINT")
	if url == "" {
		srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
		t.Cleanup(srv.Close)
		url = srv.URL
	}
	tgt, err := endpoint.New(endpoint.Config{Endpoint: url})
	require.NoError(t, err)
	return tgt
}

func FuzzAcceptHandshakeID(f *testing.F) {
	for _, seed := range []string{
		"h-examplehandshakeid111", "h-12345678", "h-" + strings.Repeat("z", 32), "h-" + strings.Repeat("z", 33),
		"h-1234567", "H-12345678", "h-ABCDEFGH", "", "h-", "h-abcdéfgh", "h-abcdefgh\n", "h-abcdefgh ", " h-abcdefgh",
		"x-abcdefgh", "h_abcdefgh", "h-abcd-efgh", "h-\x00abcdefgh", "\u0127-abcdefgh",
	} {
		f.Add(seed)
	}
	tgt := testTarget(f)
	p := tgt.Mint("management")
	f.Fuzz(func(t *testing.T, id string) {
		if err := HandshakeID(context.Background(), tgt, p, id); err != nil {
			t.Fatal(err)
		}
	})
}

// lookUpAnything wraps the reference target so that malformed ids are looked
// up instead of refused.
func lookUpAnything(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if rec.Header().Get("X-Amzn-Errortype") == "InvalidInputException" {
			w.WriteHeader(400)
			w.Write([]byte(`{"__type":"HandshakeNotFoundException","Message":"not found"}`))
			return
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

func mutantTarget(t *testing.T, wrap func(http.Handler) http.Handler) *endpoint.Target {
	srv := httptest.NewServer(wrap(reftarget.New(reftarget.Options{})))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	return tgt
}

// TestHandshakeIDPropertyFails shows the ID property is not vacuous.
func TestHandshakeIDPropertyFails(t *testing.T) {
	tgt := mutantTarget(t, lookUpAnything)
	p := tgt.Mint("management")
	require.NoError(t, HandshakeID(context.Background(), tgt, p, "h-abcdefgh12"))
	err := HandshakeID(context.Background(), tgt, p, "h-ABCDEFGH12")
	require.Error(t, err)
	require.Contains(t, err.Error(), "want InvalidInputException")
}
