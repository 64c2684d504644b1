package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/inputgen"
	"github.com/orgconform/orgconform/reftarget"
)

// TestInputProperty runs the generated-input property for every operation
// against ORGCONFORM_ENDPOINT or the reference target, as a principal in no
// organization.
func TestInputProperty(t *testing.T) {
	ops, err := inputgen.Operations()
	require.NoError(t, err)
	tgt := testTarget(t)
	for _, op := range ops {
		t.Run(op, func(t *testing.T) {
			rapid.Check(t, InputProperty(context.Background(), tgt, tgt.Mint("management"), op))
		})
	}
}

// handlerTarget serves h on a loopback test server and returns it as a
// Target.
func handlerTarget(t *testing.T, h http.Handler) *endpoint.Target {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	return tgt
}

// reference is the reference target's handler.
func reference() http.Handler { return reftarget.New(reftarget.Options{}) }

// rewrite wraps next: for op, answers pass through change, which may
// replace them.
func rewrite(next http.Handler, op string, change func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+op) {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		rec = change(body, rec)
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// answer is a canned awsJson1_1 error.
func answer(status int, code, message string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/x-amz-json-1.1")
	rec.Header().Set("X-Amzn-ErrorType", code)
	rec.WriteHeader(status)
	fmt.Fprintf(rec.Body, `{"__type":%q,"Message":%q}`, code, message)
	return rec
}

// lenientPattern is the planted fault "a lenient pattern on an operation
// other than AcceptHandshake": DescribeHandshake looks up ids that break
// the HandshakeId pattern instead of refusing them.
func lenientPattern(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if strings.Contains(rec.Body.String(), `"Reason":"INVALID_PATTERN"`) {
			return answer(400, "HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
		}
		return rec
	})
}

// strictMembers is the planted fault of a target that decodes with unknown
// members disallowed: DescribeHandshake refuses any member but HandshakeId
// as undeserializable.
func strictMembers(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		var obj map[string]json.RawMessage
		if json.Unmarshal(req, &obj) == nil {
			for k := range obj {
				if k != "HandshakeId" {
					return answer(400, "SerializationException", "Unrecognized field "+k)
				}
			}
		}
		return rec
	})
}

// failRecorder is a rapid.TB that records failures instead of failing the
// test; rapid reports the shrunk case last.
type failRecorder struct {
	failed bool
	msgs   []string
}

func (r *failRecorder) Helper()              {}
func (r *failRecorder) Name() string         { return "planted-fault" }
func (r *failRecorder) Logf(string, ...any)  {}
func (r *failRecorder) Log(...any)           {}
func (r *failRecorder) Skipf(string, ...any) { runtime.Goexit() }
func (r *failRecorder) Skip(...any)          { runtime.Goexit() }
func (r *failRecorder) SkipNow()             { runtime.Goexit() }
func (r *failRecorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(f, a...))
}
func (r *failRecorder) Error(a ...any)            { r.failed = true; r.msgs = append(r.msgs, fmt.Sprint(a...)) }
func (r *failRecorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); runtime.Goexit() }
func (r *failRecorder) Fatal(a ...any)            { r.Error(a...); runtime.Goexit() }
func (r *failRecorder) FailNow()                  { r.failed = true; runtime.Goexit() }
func (r *failRecorder) Fail()                     { r.failed = true }
func (r *failRecorder) Failed() bool              { return r.failed }

// checkFails runs prop under rapid with a failRecorder and returns the
// shrunk failure's message ("" when rapid found none).
func checkFails(prop func(*rapid.T)) string {
	rec := &failRecorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(rec, prop)
	}()
	<-done
	return strings.Join(rec.msgs, "\n")
}

// shrunkBody returns the body line of a failure message.
func shrunkBody(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		if b, ok := strings.CutPrefix(strings.TrimSpace(line), "body: "); ok {
			return b
		}
	}
	return ""
}

// TestInputPropertyFindsALenientPattern plants "a lenient pattern on an
// operation other than AcceptHandshake". Bound on the shrunk case: the body
// holds HandshakeId alone, of at most 11 runes — the shortest valid id
// (h- and 8 runes, rapid shrinks the repetition to its minimum) with one
// rune changed, dropped or added; the fault needs no more (any id off the
// pattern and within the 34-rune maximum).
func TestInputPropertyFindsALenientPattern(t *testing.T) {
	tgt := handlerTarget(t, lenientPattern(reference()))
	msg := checkFails(InputProperty(context.Background(), tgt, tgt.Mint("management"), "DescribeHandshake"))
	require.NotEmpty(t, msg, "the property passed against a DescribeHandshake that looks up ids off the pattern")
	require.Contains(t, msg, "DescribeHandshake: pattern at HandshakeId")
	require.Contains(t, msg, "observed: 400 HandshakeNotFoundException")
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(shrunkBody(msg)), &body), msg)
	id, _ := body["HandshakeId"].(string)
	require.Len(t, body, 1, "shrunk body %v holds more than HandshakeId", body)
	require.LessOrEqual(t, utf8.RuneCountInString(id), 11, "shrunk id %q longer than the fault needs", id)
}

// TestInputPropertyFindsStrictMembers plants a target that refuses unknown
// members. Bound on the shrunk case: the shortest valid body (a 10-rune
// HandshakeId) and one unknown member with a scalar value: two members and
// at most 60 bytes.
func TestInputPropertyFindsStrictMembers(t *testing.T) {
	tgt := handlerTarget(t, strictMembers(reference()))
	msg := checkFails(InputProperty(context.Background(), tgt, tgt.Mint("management"), "DescribeHandshake"))
	require.NotEmpty(t, msg, "the property passed against a DescribeHandshake that refuses unknown members")
	require.Contains(t, msg, "DescribeHandshake: unknownMember at (body)")
	require.Contains(t, msg, "SerializationException")
	raw := shrunkBody(msg)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &body), msg)
	require.Len(t, body, 2, "shrunk body %s", raw)
	require.LessOrEqual(t, len(raw), 60, "shrunk body %s longer than the fault needs", raw)
}
