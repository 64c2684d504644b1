package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/inputgen"
)

// The FuzzRequestBody targets send the raw fuzzed bytes as the body of one
// operation and require the answer the contract gives that body
// (inputgen.Judge: InvalidInputException with the reasons of the broken
// constraints, SerializationException for what cannot be read, or whatever
// a valid request gets), classified (a JSON success or a readable error),
// documented for the operation, no server fault but the documented
// ServiceException, and valid against its schema. Seeds: the golden request
// bodies, and valid and broken bodies drawn from inputgen (plus
// testdata/fuzz/<Target>/, which go test runs too).
//
//	go test ./fuzz -run '^$' -fuzz FuzzRequestBodyDescribeHandshake -fuzztime 60s

func FuzzRequestBodyAcceptHandshake(f *testing.F)   { fuzzRequestBody(f, "AcceptHandshake") }
func FuzzRequestBodyDeclineHandshake(f *testing.F)  { fuzzRequestBody(f, "DeclineHandshake") }
func FuzzRequestBodyCancelHandshake(f *testing.F)   { fuzzRequestBody(f, "CancelHandshake") }
func FuzzRequestBodyDescribeHandshake(f *testing.F) { fuzzRequestBody(f, "DescribeHandshake") }
func FuzzRequestBodyListHandshakesForAccount(f *testing.F) {
	fuzzRequestBody(f, "ListHandshakesForAccount")
}
func FuzzRequestBodyListHandshakesForOrganization(f *testing.F) {
	fuzzRequestBody(f, "ListHandshakesForOrganization")
}
func FuzzRequestBodyListAccounts(f *testing.F) { fuzzRequestBody(f, "ListAccounts") }

// generatedSeeds is how many valid and broken bodies inputgen adds to each
// target's seeds at run time, beside the committed testdata/fuzz corpus
// (drawn with other seeds), so that the seeds follow the generators.
const generatedSeeds = 8

func fuzzRequestBody(f *testing.F, op string) {
	for _, b := range seedBodies(f, op) {
		f.Add(b)
	}
	tgt := testTarget(f)
	p := tgt.Mint("management")
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := requestBodyCheck(context.Background(), tgt, p, op, body); err != nil {
			t.Fatal(err)
		}
	})
}

// seedBodies returns the golden request bodies of op and bodies drawn from
// inputgen (deterministic: the same seeds every run).
func seedBodies(tb testing.TB, op string) [][]byte {
	var out [][]byte
	paths, err := golden.List()
	require.NoError(tb, err)
	for _, path := range paths {
		m, err := golden.Read(path)
		require.NoError(tb, err)
		if m.IsRequest() && strings.HasSuffix(m.Header.Get("X-Amz-Target"), "."+op) {
			out = append(out, m.Body)
		}
	}
	valid, broken := inputgen.Valid(op), inputgen.Broken(op)
	for i := range generatedSeeds {
		out = append(out, valid.Example(i), broken.Example(i).Body)
	}
	return out
}

// requestBodyCheck sends body to op as p and returns why the answer breaks
// the contract, or nil.
func requestBodyCheck(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, op string, body []byte) error {
	j, err := inputgen.Judge(op, body)
	if err != nil {
		return err
	}
	r := send(ctx, tgt, p, op, body)
	if err := judge(op, r, j.Expect); err != nil {
		what := "valid"
		if !j.Valid {
			what = fmt.Sprintf("breaks %v", j.Broken)
		}
		return fmt.Errorf("%s body %q (%s)\n  expected: %s\n  observed: %s", op, body, what, j.Expect, err)
	}
	return nil
}

// The planted faults below show each invariant of requestBodyCheck failing
// on a target that breaks it the way emulators do.

// serverErrorOnMalformed answers a body that is not JSON with a bare 500.
func serverErrorOnMalformed(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if !jsonValid(req) {
			return answer(500, "InternalFailure", "unexpected end of JSON input")
		}
		return rec
	})
}

// htmlOnMalformed answers a body that is not JSON with an HTML error page.
func htmlOnMalformed(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(req []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if !jsonValid(req) {
			out := httptest.NewRecorder()
			out.Header().Set("Content-Type", "text/html")
			out.WriteHeader(400)
			out.Body.WriteString("<html><body>Bad Request</body></html>")
			return out
		}
		return rec
	})
}

// validationException answers input errors with the Smithy framework's
// ValidationException, which Organizations does not document.
func validationException(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if strings.Contains(rec.Body.String(), "InvalidInputException") {
			return answer(400, "ValidationException", "1 validation error detected")
		}
		return rec
	})
}

// lenientLength accepts HandshakeIds of any length: a 35-rune id is looked
// up (and not found) instead of refused.
func lenientLength(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if strings.Contains(rec.Body.String(), `"Reason":"MAX_LENGTH_EXCEEDED"`) {
			return answer(400, "HandshakeNotFoundException", "not found")
		}
		return rec
	})
}

// reasonNotAString answers errors with a Reason that is a number: a body
// its error schema refuses. (An error code sent only in X-Amzn-ErrorType,
// with no __type in the body, is no fault: clients read the header first,
// and the reference target's catalogue holds it as an equivalent variant.)
func reasonNotAString(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if rec.Code < 300 {
			return rec
		}
		code := rec.Header().Get("X-Amzn-ErrorType")
		out := httptest.NewRecorder()
		out.Header().Set("Content-Type", "application/x-amz-json-1.1")
		out.Header().Set("X-Amzn-ErrorType", code)
		out.WriteHeader(rec.Code)
		fmt.Fprintf(out.Body, `{"__type":%q,"Message":"bad input","Reason":7}`, code)
		return out
	})
}

// skeletonHandshake answers every well-formed request with a handshake that
// lacks the members AWS always sends.
func skeletonHandshake(next http.Handler) http.Handler {
	return rewrite(next, "DescribeHandshake", func(_ []byte, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if !strings.Contains(rec.Body.String(), "HandshakeNotFoundException") {
			return rec
		}
		out := httptest.NewRecorder()
		out.Header().Set("Content-Type", "application/x-amz-json-1.1")
		out.WriteHeader(200)
		out.Body.WriteString(`{"Handshake":{"Id":"h-00000000","State":"OPEN"}}`)
		return out
	})
}

func TestRequestBodyCheckFailsOnPlantedFaults(t *testing.T) {
	long := `{"HandshakeId":"h-` + strings.Repeat("a", 33) + `"}`
	for _, c := range []struct {
		name  string
		wrap  func(http.Handler) http.Handler
		body  string
		wants string
	}{
		{"a 500 on a malformed body", serverErrorOnMalformed, `{"HandshakeId":"h-abc`, "a server fault other than the documented ServiceException"},
		{"HTML on a malformed body", htmlOnMalformed, `{"HandshakeId"`, "an unclassified answer"},
		{"an undocumented exception", validationException, `{}`, "not documented for DescribeHandshake"},
		{"a lenient length", lenientLength, long, "expected: InvalidInputException (Reason MAX_LENGTH_EXCEEDED or INVALID_PATTERN)"},
		{"an error body off its schema", reasonNotAString, `{"HandshakeId":"h-ABCDEFGH"}`, "the error body does not match its schema"},
		{"a success body off its schema", skeletonHandshake, `{"HandshakeId":"h-abcdefgh"}`, "success whose body does not match the response schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := handlerTarget(t, reference())
			require.NoError(t, requestBodyCheck(context.Background(), ref, ref.Mint("management"), "DescribeHandshake", []byte(c.body)),
				"the reference target must pass the body the fault spoils")
			tgt := handlerTarget(t, c.wrap(reference()))
			err := requestBodyCheck(context.Background(), tgt, tgt.Mint("management"), "DescribeHandshake", []byte(c.body))
			require.Error(t, err)
			require.Contains(t, err.Error(), c.wants)
		})
	}
}

// jsonValid reports whether b is one JSON value.
func jsonValid(b []byte) bool { return json.Valid(b) }
