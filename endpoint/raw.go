package endpoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signerOwnedHeaders are set by the signer; an override in RawRequest's
// header is applied again after signing so a check can send a bad one.
var signerOwnedHeaders = []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"}

// Raw sends body verbatim (any bytes, valid JSON or not) as the awsJson1_1
// operation op, SigV4-signed as p: POST / with X-Amz-Target
// TargetPrefix+"."+op and Content-Type application/x-amz-json-1.1.
func (t *Target) Raw(ctx context.Context, p Principal, op string, body []byte) *Response {
	return t.RawRequest(ctx, &p, t.svc.TargetPrefix+"."+op, nil, body)
}

// RawRequest sends POST / with full control, for protocol checks. p nil
// sends it unsigned (no Authorization). target "" sends no X-Amz-Target.
// header values replace the defaults (Content-Type, X-Amz-Target) before
// signing, so they are signed; Authorization, X-Amz-Date and
// X-Amz-Security-Token in header replace what the signer set, and Host sets
// the Host header. Response.Op is the operation named by target, or target
// itself when it does not start with the service's prefix.
func (t *Target) RawRequest(ctx context.Context, p *Principal, target string, header http.Header, body []byte) *Response {
	resp := &Response{Op: t.opOf(target), Timeout: t.timeout}
	start := time.Now()
	defer func() { resp.Duration = time.Since(start) }()

	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		resp.Kind, resp.Err = KindTransport, fmt.Errorf("build request: %w", err)
		return resp
	}
	req.Header.Set("Content-Type", t.svc.ContentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	for k, vs := range header {
		if http.CanonicalHeaderKey(k) == "Host" {
			if len(vs) > 0 {
				req.Host = vs[0]
			}
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if p != nil {
		if err := t.sign(ctx, req, *p, body); err != nil {
			resp.Kind, resp.Err = KindTransport, err
			return resp
		}
		for _, k := range signerOwnedHeaders {
			if vs, ok := header[k]; ok {
				req.Header[k] = append([]string(nil), vs...)
			}
		}
	}
	resp.Exchange = newExchange(p, req.Method, req.URL.String(), wireHeader(req), body)
	t.do(req, resp)
	return resp
}

// opOf names the operation a target header calls.
func (t *Target) opOf(target string) string {
	if op, ok := strings.CutPrefix(target, t.svc.TargetPrefix+"."); ok {
		return op
	}
	return target
}

// sign signs req as p, hashing the exact body.
func (t *Target) sign(ctx context.Context, req *http.Request, p Principal, body []byte) error {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey, SessionToken: p.SessionToken, Source: "orgconform"}
	if err := t.signer(p).SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), t.svc.SigningName, t.region, time.Now().UTC()); err != nil {
		return fmt.Errorf("sign request as %s: %w", p, err)
	}
	return nil
}

// signer returns p's signer, made once: a signer caches the signing key it
// derived for one access key only, so a signer shared by principals
// signing in turn derived the key again (four HMACs) on every request.
func (t *Target) signer(p Principal) *v4.Signer {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.signers[p.AccessKeyID]
	if !ok {
		s = v4.NewSigner()
		t.signers[p.AccessKeyID] = s
	}
	return s
}

// wireHeader is the request header as sent, with Host and Content-Length.
func wireHeader(req *http.Request) http.Header {
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	h.Set("Host", host)
	if req.ContentLength > 0 || req.Method == http.MethodPost {
		h.Set("Content-Length", fmt.Sprint(req.ContentLength))
	}
	return h
}

// do sends req and fills resp: status, headers, body (at most MaxBody) and
// the classification.
func (t *Target) do(req *http.Request, resp *Response) {
	hr, err := t.http.Do(req)
	if err != nil {
		resp.Err = err
		resp.Kind = transportKind(err)
		return
	}
	defer drain(hr)
	resp.Status, resp.Header = hr.StatusCode, hr.Header
	body, truncated, readErr := readBody(hr.Body)
	resp.Body, resp.Truncated = body, truncated
	if resp.Exchange != nil {
		resp.Exchange.setResponse(hr.StatusCode, hr.Header, body, truncated)
	}
	resp.classifyHTTP(readErr)
}

// readBody reads at most MaxBody bytes of r; truncated is set when there
// was more.
func readBody(r io.Reader) (body []byte, truncated bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, MaxBody+1))
	if len(body) > MaxBody {
		body, truncated = body[:MaxBody], true
	}
	return body, truncated, err
}

// drain discards a little of what is left of a response body so the
// connection can be reused, then closes it.
func drain(hr *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(hr.Body, 64<<10))
	_ = hr.Body.Close()
}
