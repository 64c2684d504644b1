package endpoint

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serve starts an httptest server with h and a Target pointing at it.
func serve(t *testing.T, h http.HandlerFunc, mod ...func(*Config)) (*Target, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{Endpoint: srv.URL, Timeout: 2 * time.Second, Seed: 42}
	for _, m := range mod {
		m(&cfg)
	}
	tg, err := New(cfg)
	require.NoError(t, err)
	return tg, srv
}

// reply answers with status, content type and body.
func reply(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// alice is a principal with a realistic secret.
var alice = Principal{
	Role:            "management",
	AccountID:       "111122223333",
	AccessKeyID:     "AKIAEXAMPLEALICE0001",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
}
