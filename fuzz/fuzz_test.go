package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

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

func TestLifecycle(t *testing.T) {
	tgt := testTarget(t)
	rapid.Check(t, Lifecycle(context.Background(), tgt))
}

// breakDecline wraps the reference target so that the sender may decline:
// DeclineHandshake by anyone succeeds and reports DECLINED.
func breakDecline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".DeclineHandshake") {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Write([]byte(`{"Handshake":{"State":"DECLINED"}}`))
				return
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		next.ServeHTTP(w, r)
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

// recorder is a rapid.TB that records a failure instead of failing the test.
type recorder struct {
	failed bool
	msgs   []string
}

func (r *recorder) Helper()                  {}
func (r *recorder) Name() string             { return "mutant" }
func (r *recorder) Logf(f string, a ...any)  {}
func (r *recorder) Log(a ...any)             {}
func (r *recorder) Skipf(f string, a ...any) { runtime.Goexit() }
func (r *recorder) Skip(a ...any)            { runtime.Goexit() }
func (r *recorder) SkipNow()                 { runtime.Goexit() }
func (r *recorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(f, a...))
}
func (r *recorder) Error(a ...any)            { r.failed = true; r.msgs = append(r.msgs, fmt.Sprint(a...)) }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *recorder) Fatal(a ...any)            { r.Error(a...); runtime.Goexit() }
func (r *recorder) FailNow()                  { r.failed = true; runtime.Goexit() }
func (r *recorder) Fail()                     { r.failed = true }
func (r *recorder) Failed() bool              { return r.failed }

// TestLifecyclePropertyFails shows the state machine catches a target that
// lets the sender decline an invitation.
func TestLifecyclePropertyFails(t *testing.T) {
	tgt := mutantTarget(t, breakDecline)
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(rec, Lifecycle(context.Background(), tgt))
	}()
	<-done
	require.True(t, rec.failed, "the lifecycle property passed against a target that lets the sender decline")
	require.Contains(t, strings.Join(rec.msgs, "\n"), "DeclineHandshake")
}
