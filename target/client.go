package target

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Client returns the organizations client of p, built once and cached: the
// Target's endpoint and region, p's static credentials, no retries, the
// Target's HTTP client, and interceptors that capture each exchange for SDK.
// Calls made with it outside SDK are counted but not captured.
func (t *Target) Client(p Principal) *organizations.Client {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.clients[p]; ok {
		return c
	}
	var reg smithyhttp.InterceptorRegistry
	reg.AddBeforeTransmit(captureInterceptor{})
	reg.AddBeforeDeserialization(captureInterceptor{})
	c := organizations.New(organizations.Options{
		Region:       t.region,
		BaseEndpoint: aws.String(t.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(p.AccessKeyID, p.SecretAccessKey, p.SessionToken),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkDoer{t.http},
		Interceptors: reg,
	})
	t.clients[p] = c
	return c
}

// SDK runs fn with p's client under the per-call deadline and returns the
// classified outcome with the exchange of the last request fn sent.
//
// The outcome is classified from that exchange first, as on the raw path,
// so an HTML 500 the SDK fails to decode is still KindNonJSON with the body
// as evidence; an SDK smithy.APIError then supplies Code and Message. A 2xx
// the SDK could not decode, and an error before any request was sent (e.g.
// the SDK's own validation of required members), are KindTransport with Err
// set. Response.Err is always fn's error.
func (t *Target) SDK(ctx context.Context, p Principal, op string, fn func(ctx context.Context, c *organizations.Client) error) *Response {
	resp := &Response{Op: op, Timeout: t.timeout}
	start := time.Now()
	defer func() { resp.Duration = time.Since(start) }()
	if fn == nil {
		resp.Kind, resp.Err = KindTransport, errors.New("SDK: nil function")
		return resp
	}
	c := t.Client(p)
	sink := &captureSink{principal: p}
	callCtx, cancel := context.WithTimeout(context.WithValue(ctx, sinkKey{}, sink), t.timeout)
	defer cancel()
	err := safeCall(callCtx, c, fn)
	resp.Err = err

	last := sink.last()
	if last == nil {
		resp.Kind = KindSuccess
		if err != nil {
			resp.Kind = transportKind(err)
		}
		return resp
	}
	resp.Exchange = last.exchange
	if !last.responded || last.exchange == nil {
		resp.Kind = transportKind(err)
		if err == nil { // fn swallowed the failure
			resp.Kind, resp.Note = KindTransport, "no response captured"
		}
		return resp
	}
	resp.Status, resp.Header = last.status, last.header
	resp.Body, resp.Truncated = last.body, last.truncated
	resp.classifyHTTP(last.readErr)

	var apiErr smithy.APIError
	switch {
	case resp.Kind == KindError && errors.As(err, &apiErr):
		if c := apiErr.ErrorCode(); c != "" && c != "UnknownError" {
			resp.Code = c
		}
		if resp.Message == "" {
			resp.Message = apiErr.ErrorMessage()
		}
	case resp.Kind == KindSuccess && err != nil:
		resp.Kind = transportKind(err)
		resp.Note = "the SDK rejected the 2xx response: " + oneLine(err.Error())
	}
	return resp
}

// safeCall runs fn, turning a panic in it into an error.
func safeCall(ctx context.Context, c *organizations.Client, fn func(context.Context, *organizations.Client) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("SDK function panicked: %v", r)
		}
	}()
	return fn(ctx, c)
}

// sinkKey is the context key of the capture sink of one SDK call.
type sinkKey struct{}

// captureSink collects the exchanges of one SDK call.
type captureSink struct {
	principal Principal
	mu        sync.Mutex
	records   []*captured
}

// captured is one exchange as seen by the interceptors.
type captured struct {
	requestBody []byte
	exchange    *Exchange
	responded   bool
	status      int
	header      map[string][]string
	body        []byte
	truncated   bool
	readErr     error
}

// last returns the most recent record, or nil.
func (s *captureSink) last() *captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) == 0 {
		return nil
	}
	return s.records[len(s.records)-1]
}

// captureInterceptor records requests right before transmission and
// responses right before deserialization.
type captureInterceptor struct{}

// BeforeTransmit starts a record with the request body. The interceptor
// context's Request is the one serialized before the retry loop cloned,
// resolved and signed it, so the wire method, URL and headers are recorded
// by sdkDoer instead.
func (captureInterceptor) BeforeTransmit(ctx context.Context, in *smithyhttp.InterceptorContext) error {
	sink, _ := ctx.Value(sinkKey{}).(*captureSink)
	if sink == nil {
		return nil
	}
	var body []byte
	if req := in.Request; req != nil {
		if stream := req.GetStream(); stream != nil && req.IsStreamSeekable() {
			b, err := io.ReadAll(io.LimitReader(stream, MaxBody))
			if rerr := req.RewindStream(); rerr != nil {
				return fmt.Errorf("capture request body: %w", rerr)
			}
			if err == nil {
				body = b
			}
		}
	}
	sink.mu.Lock()
	sink.records = append(sink.records, &captured{requestBody: body})
	sink.mu.Unlock()
	return nil
}

// sdkDoer is the SDK clients' HTTP client: it records the request exactly
// as sent into the current record, then sends it.
type sdkDoer struct{ c *http.Client }

// Do implements organizations.HTTPClient.
func (d sdkDoer) Do(req *http.Request) (*http.Response, error) {
	if sink, _ := req.Context().Value(sinkKey{}).(*captureSink); sink != nil {
		sink.mu.Lock()
		if n := len(sink.records); n > 0 && sink.records[n-1].exchange == nil {
			rec := sink.records[n-1]
			p := sink.principal
			rec.exchange = newExchange(&p, req.Method, req.URL.String(), wireHeader(req), rec.requestBody)
		}
		sink.mu.Unlock()
	}
	return d.c.Do(req)
}

// BeforeDeserialization records the response and hands the SDK the bytes
// read (at most MaxBody, so a huge body cannot exhaust memory; a truncated
// body then fails to decode, which SDK classifies from the capture).
func (captureInterceptor) BeforeDeserialization(ctx context.Context, in *smithyhttp.InterceptorContext) error {
	sink, _ := ctx.Value(sinkKey{}).(*captureSink)
	if sink == nil || in.Response == nil || in.Response.Response == nil {
		return nil
	}
	rec := sink.last()
	if rec == nil || rec.exchange == nil {
		return nil
	}
	hr := in.Response.Response
	body, truncated, readErr := readBody(hr.Body)
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, errReader{readErr})
	}
	hr.Body = readCloser{Reader: rest, Closer: hr.Body}

	sink.mu.Lock()
	defer sink.mu.Unlock()
	rec.responded = true
	rec.status, rec.header = hr.StatusCode, hr.Header
	rec.body, rec.truncated, rec.readErr = body, truncated, readErr
	rec.exchange.setResponse(hr.StatusCode, hr.Header, body, truncated)
	return nil
}

// readCloser joins a replacement body with the original's Close.
type readCloser struct {
	io.Reader
	io.Closer
}

// errReader fails every read with err.
type errReader struct{ err error }

// Read implements io.Reader.
func (e errReader) Read([]byte) (int, error) { return 0, e.err }
