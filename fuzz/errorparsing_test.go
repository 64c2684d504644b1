package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/golden"
)

// FuzzErrorParsing feeds a fuzzed HTTP answer (status, X-Amzn-ErrorType,
// body) in process — no network — to both the harness's classifier (a
// Target's raw path, endpoint.ErrorCode) and an aws-sdk-go-v2
// organizations.Client, and requires that the classifier never panics,
// classifies every answer by the rules endpoint documents, and reads the
// same error code as the SDK's smithy.APIError.ErrorCode() (none where the
// SDK cannot decode the body).
//
//	go test ./fuzz -run '^$' -fuzz FuzzErrorParsing -fuzztime 60s
func FuzzErrorParsing(f *testing.F) {
	for _, s := range errorSeeds(f) {
		f.Add(s.status, s.errorType, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, errorType string, body []byte) {
		if err := errorParsingCheck(status, errorType, body, endpoint.ErrorCode); err != nil {
			t.Fatal(err)
		}
	})
}

// errorSeed is one canned answer.
type errorSeed struct {
	status    int
	errorType string
	body      []byte
}

// errorSeeds returns the golden error answers and the forms awsJson1_1
// clients must handle: namespaced and suffixed types, code members, member
// names in other cases, bodies that are not objects, non-string members.
func errorSeeds(tb testing.TB) []errorSeed {
	var out []errorSeed
	paths, err := golden.List()
	require.NoError(tb, err)
	for _, path := range paths {
		m, err := golden.Read(path)
		require.NoError(tb, err)
		if !m.IsRequest() && m.StatusCode >= 300 {
			out = append(out, errorSeed{m.StatusCode, m.Header.Get("X-Amzn-ErrorType"), m.Body})
		}
	}
	for _, s := range []struct {
		status int
		typ    string
		body   string
	}{
		{400, "", `{"__type":"com.amazonaws.organizations#HandshakeNotFoundException","Message":"m"}`},
		{400, "HandshakeNotFoundException:http://internal.amazon.com/coral/", `{}`},
		{400, "", `{"code":"InvalidInputException","Reason":"INVALID_PATTERN"}`},
		{400, "", `{"__TYPE":"AccessDeniedException","MESSAGE":"m"}`},
		{400, "AccessDeniedException", `["x"]`},
		{500, "ServiceException", `<html><body>oops</body></html>`},
		{400, "AccessDeniedException", `null`},
		{400, "", `{"__type":3,"code":"X"}`},
		{400, "", `{"__type":"InvalidInputException","Message":5}`},
		{400, "", `{"__type":"InvalidInputException","Reason":5}`},
		{400, "", `{"__type":"a#B:c#d"}`},
		{400, "", ``},
		{400, "", `{"code":7}`},
		{404, "", `{"__type":"UnknownOperationException"} trailing`},
		{200, "", `{"Handshake":{}}`},
		{200, "", `[]`},
		{302, "", ``},
	} {
		out = append(out, errorSeed{s.status, s.typ, []byte(s.body)})
	}
	return out
}

// cannedTransport answers every request with one fixed response, in
// process.
type cannedTransport struct {
	status int
	header http.Header
	body   []byte
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)), StatusCode: c.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header.Clone(), Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: req,
	}, nil
}

// sdkReading is what aws-sdk-go-v2 makes of an answer: the error, and the
// code of its smithy.APIError ("" and apiError false when there is none).
type sdkReading struct {
	err      error
	code     string
	apiError bool
}

// readWithSDK runs DescribeHandshake on an organizations.Client whose HTTP
// client returns the canned answer.
func readWithSDK(rt http.RoundTripper) sdkReading {
	c := organizations.New(organizations.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://fuzz.invalid"),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFUZZ", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	})
	_, err := c.DescribeHandshake(context.Background(), &organizations.DescribeHandshakeInput{HandshakeId: aws.String("h-00000000")})
	out := sdkReading{err: err}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		out.code, out.apiError = apiErr.ErrorCode(), true
	}
	return out
}

// sdkDefaultCode is the code the SDK reports when the answer names none.
const sdkDefaultCode = "UnknownError"

// bodyUnreadable reports whether the SDK's deserialization error says it
// could not read the error body at all (so it read no code), rather than
// that it read a code naming a modeled exception and then failed on that
// exception's members. Every version words the first "failed to decode
// response body, " around the error of encoding/json's Decoder; versions
// before v1.57.0 (generated deserializers, before schema-based serde) word
// the second the same way, but around an error of their own ("expected
// InvalidInputExceptionReason to be of type string, got json.Number
// instead"), so the words alone do not tell them apart.
func bodyUnreadable(de *smithy.DeserializationError) bool {
	if !strings.Contains(de.Error(), "failed to decode response body") {
		return false
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(de, &syntaxErr) || errors.As(de, &typeErr) || errors.Is(de, io.ErrUnexpectedEOF)
}

// errorParsingCheck returns why the classifier's reading (readCode for the
// code, a Target's raw path for the classification) of the answer differs
// from the SDK's or breaks the classification rules, or nil.
func errorParsingCheck(status int, errorType string, body []byte, readCode func(http.Header, []byte) string) (err error) {
	if status < 100 || status > 999 {
		return nil // not an HTTP status
	}
	header := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	if errorType != "" {
		header["X-Amzn-Errortype"] = []string{errorType}
	}
	rt := cannedTransport{status, header, body}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked reading %d %q %q: %v", status, errorType, body, p)
		}
	}()
	code := readCode(header.Clone(), body)

	answer := fmt.Sprintf("HTTP %d, X-Amzn-ErrorType %q, body %q", status, errorType, body)
	sdk := readWithSDK(rt)
	var de *smithy.DeserializationError
	switch {
	case status >= 200 && status < 300:
		// A success: the SDK reads no error code.
	case sdk.apiError && sdk.code == sdkDefaultCode && code == "":
	case sdk.apiError && sdk.code != code:
		return fmt.Errorf("%s: code %q, aws-sdk-go-v2 reads %q", answer, code, sdk.code)
	case sdk.apiError:
	case errors.As(sdk.err, &de) && bodyUnreadable(de):
		// The SDK could not read the body at all, so it read no code.
		if code != "" {
			return fmt.Errorf("%s: code %q, but aws-sdk-go-v2 cannot decode the body and reads none (%v)", answer, code, sdk.err)
		}
	case errors.As(sdk.err, &de):
		// The SDK read a code naming a modeled exception, then failed to
		// decode that exception's members.
		if code == "" {
			return fmt.Errorf("%s: no code, but aws-sdk-go-v2 read one and failed on its members (%v)", answer, sdk.err)
		}
	default:
		return fmt.Errorf("%s: aws-sdk-go-v2 returned %T %v, neither an API error nor a deserialization error", answer, sdk.err, sdk.err)
	}

	tgt, err := endpoint.New(endpoint.Config{Endpoint: "http://fuzz.invalid", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		return err
	}
	r := tgt.Raw(context.Background(), endpoint.Principal{AccessKeyID: "AKIDFUZZ", SecretAccessKey: "secret"}, "DescribeHandshake", []byte(`{"HandshakeId":"h-00000000"}`))
	switch {
	case r.Status != status:
		return fmt.Errorf("%s: classified with status %d (%s)", answer, r.Status, r.Summary())
	case status >= 200 && status < 300:
		if r.Kind != endpoint.KindSuccess && r.Kind != endpoint.KindNonJSON {
			return fmt.Errorf("%s: a 2xx classified %s", answer, r.Kind)
		}
	case r.Kind != endpoint.KindError && r.Kind != endpoint.KindNonJSON:
		return fmt.Errorf("%s: classified %s", answer, r.Kind)
	case (r.Kind == endpoint.KindError) != (r.Code != ""):
		return fmt.Errorf("%s: classified %s with code %q (an error needs a code, a code makes an error)", answer, r.Kind, r.Code)
	case r.Code != code:
		return fmt.Errorf("%s: the raw path reads code %q, ErrorCode %q", answer, r.Code, code)
	}

	return nil
}

// TestErrorParsingCheckFailsOnPlantedFaults shows the check catches code
// readers that depart from the SDK the ways hand-written ones do.
func TestErrorParsingCheckFailsOnPlantedFaults(t *testing.T) {
	for _, c := range []struct {
		name      string
		read      func(http.Header, []byte) string
		status    int
		errorType string
		body      string
		wants     string
	}{
		{"body before header", func(h http.Header, b []byte) string {
			if c := endpoint.ErrorCode(http.Header{}, b); c != "" {
				return c
			}
			return endpoint.ErrorCode(h, b)
		}, 400, "AccessDeniedException", `{"__type":"HandshakeNotFoundException"}`, `aws-sdk-go-v2 reads "AccessDeniedException"`},
		{"namespace kept", func(h http.Header, b []byte) string {
			var v struct {
				Type string `json:"__type"`
			}
			_ = json.Unmarshal(b, &v)
			return v.Type
		}, 400, "", `{"__type":"com.amazonaws.organizations#HandshakeNotFoundException"}`, `aws-sdk-go-v2 reads "HandshakeNotFoundException"`},
		{"panics on a non-object", func(h http.Header, b []byte) string {
			var v map[string]any
			_ = json.Unmarshal(b, &v)
			return v["__type"].(string)
		}, 400, "", `[1]`, "panicked"},
		{"type read past an undecodable message", func(h http.Header, b []byte) string {
			var v map[string]any
			_ = json.Unmarshal(b, &v)
			s, _ := v["__type"].(string)
			return s
		}, 400, "", `{"__type":"InvalidInputException","Message":5}`, "aws-sdk-go-v2 cannot decode the body and reads none"},
		{"every member decoded strictly", func(h http.Header, b []byte) string {
			var v struct {
				Type   string `json:"__type"`
				Reason string
			}
			if json.Unmarshal(b, &v) != nil {
				return ""
			}
			return v.Type
		}, 400, "", `{"__type":"InvalidInputException","Reason":5}`, "no code, but aws-sdk-go-v2 read one and failed on its members"},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, errorParsingCheck(c.status, c.errorType, []byte(c.body), endpoint.ErrorCode), "the real reader must pass the answer the fault spoils")
			err := errorParsingCheck(c.status, c.errorType, []byte(c.body), c.read)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.wants)
		})
	}
}
