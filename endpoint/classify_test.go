package endpoint

import (
	"bytes"
	"context"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name   string
		header string
		body   string
		want   string
	}{
		{"header wins over body", "HeaderError", `{"__type":"TypeError","code":"CodeError"}`, "HeaderError"},
		{"__type before code", "", `{"__type":"TypeError","code":"CodeError"}`, "TypeError"},
		{"code alone", "", `{"code":"CodeError"}`, "CodeError"},
		{"Code capitalised", "", `{"Code":"CodeError"}`, "CodeError"},
		{"non-string code ignored", "", `{"code":42}`, ""},
		{"namespace stripped", "", `{"__type":"com.amazonaws.organizations#HandshakeNotFoundException"}`, "HandshakeNotFoundException"},
		{"uri stripped", "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "", "FooError"},
		{"both forms", "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "", "FooError"},
		{"both forms in body", "", `{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/"}`, "FooError"},
		{"no code", "", `{"Message":"boom"}`, ""},
		{"not json", "", `<html>500</html>`, ""},
		{"empty", "", ``, ""},
		{"json array", "", `[{"__type":"X"}]`, ""},
		// aws-sdk-go-v2 fails to decode the body and reads no code, not even
		// the header's (found by fuzz.FuzzErrorParsing).
		{"header with html body", "ThrottlingException", `<html/>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("X-Amzn-ErrorType", tt.header)
			}
			assert.Equal(t, tt.want, ErrorCode(h, []byte(tt.body)))
		})
	}
}

func TestClassifyResponses(t *testing.T) {
	const ct = "application/x-amz-json-1.1"
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		kind        Kind
		status      int
		code        string
		message     string
		reason      string
		summary     string
		unsupported string // evidence substring; "" means supported
	}{
		{
			name:    "success",
			handler: reply(200, ct, `{"Handshake":{"Id":"h-0123456789"}}`),
			kind:    KindSuccess, status: 200, summary: "200 success",
		},
		{
			name:    "success with empty body",
			handler: reply(200, ct, ``),
			kind:    KindSuccess, status: 200, summary: "200 success",
		},
		{
			name: "json error",
			handler: reply(400, ct, `{"__type":"HandshakeConstraintViolationException",
				"Message":"too many handshakes","Reason":"INVITE_DISABLED"}`),
			kind: KindError, status: 400, code: "HandshakeConstraintViolationException",
			message: "too many handshakes", reason: "INVITE_DISABLED",
			summary: "400 HandshakeConstraintViolationException (Reason INVITE_DISABLED): too many handshakes",
		},
		{
			name:    "lower-case message",
			handler: reply(400, ct, `{"__type":"HandshakeNotFoundException","message":"gone"}`),
			kind:    KindError, status: 400, code: "HandshakeNotFoundException", message: "gone",
			summary: "400 HandshakeNotFoundException: gone",
		},
		{
			name:    "html 500 from moto",
			handler: reply(500, "text/html; charset=utf-8", `<!doctype html><html><title>500 Internal Server Error</title></html>`),
			kind:    KindNonJSON, status: 500,
			summary:     "500 non-json: <!doctype html><html><title>500 Internal Server Error</title></html>",
			unsupported: "HTML 500",
		},
		{
			name:    "501",
			handler: reply(501, ct, `{"__type":"InternalFailure","message":"x"}`),
			kind:    KindError, status: 501, code: "InternalFailure", message: "x",
			unsupported: "status 501",
		},
		{
			name:    "localstack not yet implemented",
			handler: reply(501, ct, `{"__type":"InternalFailure","message":"API action 'AcceptHandshake' for service 'organizations' not yet implemented or pro feature"}`),
			kind:    KindError, status: 501, code: "InternalFailure",
			unsupported: "status 501",
		},
		{
			name:    "not implemented text",
			handler: reply(400, ct, `{"__type":"ValidationException","message":"operation not implemented"}`),
			kind:    KindError, status: 400, code: "ValidationException",
			unsupported: "body text",
		},
		{
			name:    "unknown operation code",
			handler: reply(400, ct, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`),
			kind:    KindError, status: 400, code: "UnknownOperationException",
			unsupported: "error code",
		},
		{
			name:    "404 on POST",
			handler: reply(404, "text/plain", `not found`),
			kind:    KindNonJSON, status: 404,
			unsupported: "404 on POST /",
		},
		{
			// The newer model's status for HandshakeNotFoundException: an
			// answer, not a missing operation.
			name:    "404 with a modeled error",
			handler: reply(404, ct, `{"__type":"HandshakeNotFoundException","Message":"no such handshake"}`),
			kind:    KindError, status: 404, code: "HandshakeNotFoundException",
		},
		{
			name:    "truncated json",
			handler: reply(400, ct, `{"__type":"HandshakeNotFoundExcep`),
			kind:    KindNonJSON, status: 400,
			summary: `400 non-json: {"__type":"HandshakeNotFoundExcep`,
		},
		{
			name:    "json without code",
			handler: reply(400, ct, `{"Message":"who am I"}`),
			kind:    KindNonJSON, status: 400, message: "who am I",
		},
		{
			name:    "json array error",
			handler: reply(400, ct, `["x"]`),
			kind:    KindNonJSON, status: 400,
		},
		{
			// An SDK client reads no code from a body it cannot decode, so
			// neither does the classifier (found by fuzz.FuzzErrorParsing).
			name: "header code with html body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")
				w.WriteHeader(400)
				_, _ = w.Write([]byte("<html>slow down</html>"))
			},
			kind: KindNonJSON, status: 400,
		},
		{
			name:    "2xx html",
			handler: reply(200, "text/html", `<html>ok</html>`),
			kind:    KindNonJSON, status: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, _ := serve(t, tt.handler)
			r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{"HandshakeId":"h-0123456789"}`))
			assert.Equal(t, tt.kind, r.Kind, r.Summary())
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.code, r.Code)
			if tt.message != "" {
				assert.Equal(t, tt.message, r.Message)
			}
			assert.Equal(t, tt.reason, r.Reason)
			if tt.summary != "" {
				assert.Equal(t, tt.summary, r.Summary())
			}
			assert.NotContains(t, r.Summary(), "\n")
			assert.Equal(t, "DescribeHandshake", r.Op)
			assert.Equal(t, tt.kind == KindSuccess, r.OK())
			assert.NoError(t, r.Err)
			assert.Positive(t, r.Duration)
			require.NotNil(t, r.Exchange)
			assert.Equal(t, tt.status, r.Exchange.Status)

			un, evidence := r.Unsupported()
			if tt.unsupported == "" {
				assert.False(t, un, evidence)
				assert.Empty(t, evidence)
			} else {
				assert.True(t, un)
				assert.Contains(t, evidence, tt.unsupported)
				assert.Contains(t, evidence, r.Summary(), "evidence quotes the response")
			}
		})
	}
}

func TestHugeBodyIsTruncated(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 3*MaxBody)
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"__type":"InternalFailure","message":"`))
		_, _ = w.Write(big)
		_, _ = w.Write([]byte(`"}`))
	})
	r := tg.Raw(context.Background(), tg.Mint("member"), "ListHandshakesForAccount", []byte(`{}`))
	assert.True(t, r.Truncated)
	assert.Len(t, r.Body, MaxBody)
	assert.Equal(t, KindTooLarge, r.Kind, "a body over the read limit is too large, not merely not JSON")
	assert.True(t, r.TooLarge())
	assert.Equal(t, "500 answer larger than 1 MiB, the read limit", r.Summary())
	assert.True(t, r.Exchange.ResponseTruncated)
	assert.Contains(t, r.Exchange.String(), "(larger than 1 MiB; only that much was read)")
	assert.LessOrEqual(t, len(r.Exchange.ResponseBody), 8<<10, "an exchange keeps only the head of a body")
	assert.Less(t, len(r.Exchange.String()), 16<<10, "the transcript shows only the head of the body")
}

func TestHugeSuccessBodyIsTruncated(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"Handshakes":[`))
		for i := 0; i < 200_000; i++ {
			_, _ = w.Write([]byte(`{"Id":"h-0123456789"},`))
		}
		_, _ = w.Write([]byte(`{}]}`))
	})
	r := tg.Raw(context.Background(), tg.Mint("member"), "ListHandshakesForAccount", []byte(`{}`))
	assert.Equal(t, 200, r.Status)
	assert.True(t, r.Truncated)
	assert.Equal(t, KindTooLarge, r.Kind)
	assert.False(t, r.OK())
}

func TestJSONErrorWithoutCodeIsNotCalledNonJSON(t *testing.T) {
	tg, _ := serve(t, reply(400, "application/x-amz-json-1.1", `{"__type":"","message":"who am I"}`))
	r := tg.Raw(context.Background(), tg.Mint("member"), "AcceptHandshake", []byte(`{}`))
	assert.Equal(t, KindNonJSON, r.Kind)
	assert.Equal(t, `400 JSON error without a code: {"__type":"","message":"who am I"}`, r.Summary())
}

func TestTimeout(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}, func(c *Config) { c.Timeout = 200 * time.Millisecond })

	start := time.Now()
	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{}`))
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, KindTimeout, r.Kind)
	assert.Equal(t, 0, r.Status)
	assert.Error(t, r.Err)
	assert.Equal(t, "timeout after 200ms", r.Summary())
	require.NotNil(t, r.Exchange)
	assert.Contains(t, r.Exchange.String(), "(no response)")

	start = time.Now()
	s := tg.SDK(context.Background(), tg.Mint("member"), "DescribeOrganization", describeOrganization)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, KindTimeout, s.Kind, s.Summary())
	assert.Error(t, s.Err)
}

func TestTimeoutWhileReadingBody(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"Handshake":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{}`))
	assert.Equal(t, KindTimeout, r.Kind)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, `{"Handshake":`, string(r.Body))
	assert.Equal(t, "200 timeout after 200ms", r.Summary())
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	tg, err := New(Config{Endpoint: "http://" + addr, Timeout: time.Second})
	require.NoError(t, err)

	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{}`))
	assert.Equal(t, KindRefused, r.Kind)
	assert.Error(t, r.Err)
	assert.True(t, strings.HasPrefix(r.Summary(), "refused: "), r.Summary())
	ok, _ := r.Unsupported()
	assert.False(t, ok)

	s := tg.SDK(context.Background(), tg.Mint("member"), "DescribeOrganization", describeOrganization)
	assert.Equal(t, KindRefused, s.Kind, s.Summary())
}

func TestServerHangsUp(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{}`))
	assert.Equal(t, KindRefused, r.Kind, r.Summary())
}

func TestDNSFailure(t *testing.T) {
	tg, err := New(Config{Endpoint: "http://orgconform-no-such-host.invalid", Timeout: 2 * time.Second})
	require.NoError(t, err)
	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeHandshake", []byte(`{}`))
	assert.Contains(t, []Kind{KindRefused, KindTimeout}, r.Kind, r.Summary())
}

func TestTransportKindTable(t *testing.T) {
	assert.Equal(t, KindTimeout, transportKind(context.DeadlineExceeded))
	assert.Equal(t, KindRefused, transportKind(&net.DNSError{Err: "no such host", Name: "x"}))
	assert.Equal(t, KindTransport, transportKind(context.Canceled))
}

// TestHugeAnswerOnBothPaths: a 20 MB answer is "larger than 1 MiB" on the
// raw and the SDK path alike, never an EOF or a decoding error.
func TestHugeAnswerOnBothPaths(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Organization":{"Id":"`))
		for range 20 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}}`))
	})
	raw := tg.Raw(context.Background(), tg.Mint("member"), "DescribeOrganization", []byte(`{}`))
	sdk := tg.SDK(context.Background(), tg.Mint("member"), "DescribeOrganization", func(ctx context.Context, c *organizations.Client) error {
		_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	})
	for name, r := range map[string]*Response{"raw": raw, "sdk": sdk} {
		assert.Equal(t, KindTooLarge, r.Kind, name)
		assert.Equal(t, "200 answer larger than 1 MiB, the read limit", r.Summary(), name)
		assert.LessOrEqual(t, len(r.Body), MaxBody, name)
	}
}
