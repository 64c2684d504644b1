package endpoint

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

	"github.com/orgconform/orgconform/internal/text"
)

// Client returns the organizations client of p, built once and cached: the
// Target's endpoint and region, p's static credentials, no retries, the
// Target's HTTP client, and capture of each exchange for SDK (the request
// as sent and the response as received, both by the HTTP client, so the
// harness needs no SDK feature newer than the HTTPClient option).
// Calls made with it outside SDK are counted but not captured.
func (t *Target) Client(p Principal) *organizations.Client {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.clients[p]; ok {
		return c
	}
	c := organizations.New(organizations.Options{
		Region:       t.region,
		BaseEndpoint: aws.String(t.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(p.AccessKeyID, p.SecretAccessKey, p.SessionToken),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkDoer{t.http},
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
		resp.Kind, resp.Note = KindSuccess, "no request sent"
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
		resp.Note = "the SDK rejected the 2xx response: " + text.OneLine(err.Error())
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

// captured is one exchange as seen by sdkDoer.
type captured struct {
	exchange  *Exchange
	responded bool
	status    int
	header    map[string][]string
	body      []byte
	truncated bool
	readErr   error
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

// sdkDoer is the SDK clients' HTTP client. It records the request exactly
// as sent (signed, after every middleware) and the response as received,
// and sends a copy of the request whose body it owns: the SDK closes the
// body it built as soon as Do returns, and net/http, still finishing the
// write, would then fail the write and close the connection under a
// response body not yet read.
type sdkDoer struct{ c *http.Client }

// Do implements organizations.HTTPClient.
func (d sdkDoer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read SDK request body: %w", err)
		}
		body = b
	}
	send := req.Clone(req.Context())
	send.Body, send.GetBody = http.NoBody, nil
	if len(body) > 0 {
		send.Body = io.NopCloser(bytes.NewReader(body))
		send.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	send.ContentLength = int64(len(body))

	sink, _ := req.Context().Value(sinkKey{}).(*captureSink)
	if sink == nil {
		return d.c.Do(send)
	}
	p := sink.principal
	rec := &captured{exchange: newExchange(&p, send.Method, send.URL.String(), wireHeader(send), body)}
	sink.mu.Lock()
	sink.records = append(sink.records, rec)
	sink.mu.Unlock()
	hr, err := d.c.Do(send)
	if err != nil || hr == nil {
		return hr, err
	}
	sink.recordResponse(rec, hr)
	return hr, nil
}

// recordResponse records hr in rec and hands the SDK the bytes read (at
// most MaxBody, so a huge body cannot exhaust memory; a truncated body then
// fails to decode, which SDK classifies from the capture).
func (s *captureSink) recordResponse(rec *captured, hr *http.Response) {
	body, truncated, readErr := readBody(hr.Body)
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, errReader{readErr})
	}
	hr.Body = readCloser{Reader: rest, Closer: hr.Body}

	s.mu.Lock()
	defer s.mu.Unlock()
	rec.responded = true
	rec.status, rec.header = hr.StatusCode, hr.Header
	rec.body, rec.truncated, rec.readErr = body, truncated, readErr
	rec.exchange.setResponse(hr.StatusCode, hr.Header, body, truncated)
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
