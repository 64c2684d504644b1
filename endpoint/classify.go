package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/orgconform/orgconform/internal/awserr"
	"github.com/orgconform/orgconform/internal/redact"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/specs"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// MaxBody is the most response-body bytes read; the rest is discarded and
// Response.Truncated set.
const MaxBody = 1 << 20

// Kind is the class of an outcome.
type Kind string

// The kinds of outcome.
const (
	KindSuccess   Kind = "success"   // 2xx with a JSON object body (or empty body)
	KindError     Kind = "error"     // non-2xx with a readable error code
	KindNonJSON   Kind = "non-json"  // body not JSON (e.g. HTML 500), or an error body without error code
	KindTooLarge  Kind = "too-large" // body larger than MaxBody: only its head was read
	KindTimeout   Kind = "timeout"   // the per-call deadline passed
	KindRefused   Kind = "refused"   // connection refused / reset / closed, DNS failure
	KindTransport Kind = "transport" // other client-side failure (incl. SDK-side validation/decoding)
)

// Response is one classified outcome; checks read only this.
type Response struct {
	Op        string
	Kind      Kind
	Status    int // 0 when no response arrived
	Header    http.Header
	Body      []byte // at most MaxBody bytes; Truncated set if there was more
	Truncated bool
	Code      string // error code, normalised (see ErrorCode)
	Message   string // body "Message" or "message"
	Reason    string // body "Reason" member, if present
	Err       error  // transport error, or the SDK's error on the SDK path
	Exchange  *Exchange
	Duration  time.Duration
	// Note says why the outcome got its Kind when that is not evident from
	// Status and Code (e.g. "body truncated at 1048576 bytes").
	Note string
	// Timeout is the deadline the call ran under.
	Timeout time.Duration
}

// OK reports whether the call succeeded (KindSuccess and no error).
func (r *Response) OK() bool { return r != nil && r.Kind == KindSuccess && r.Err == nil }

// ErrorCode reads the error code exactly as aws-sdk-go-v2 does: the
// X-Amzn-ErrorType header when set, then the body's "__type", then its
// "code" (a string); the text before the first ':' is kept, then the text
// after the first '#'. It returns "" when there is none.
func ErrorCode(header http.Header, body []byte) string { return awserr.Code(header, body) }

// classifyHTTP classifies a response that arrived. readErr is an error met
// while reading the body (the status is still known).
func (r *Response) classifyHTTP(readErr error) {
	code, info, _ := awserr.Read(r.Header, r.Body)
	r.Message, r.Reason, r.Code = info.Message, info.Reason, code
	validJSON := !r.Truncated && json.Valid(r.Body)
	trimmed := bytes.TrimSpace(r.Body)
	empty := len(trimmed) == 0
	isObject := validJSON && !empty && trimmed[0] == '{' // valid JSON that opens with { is one object
	success := r.Status >= 200 && r.Status < 300
	switch {
	case r.Truncated:
		r.Kind, r.Note = KindTooLarge, fmt.Sprintf("answer larger than %s, the read limit", sizeText(MaxBody))
	case readErr != nil:
		r.Err = readErr
		r.Kind = transportKind(readErr)
		r.Note = "reading the body failed: " + text.OneLine(readErr.Error())
	case success && (empty || (validJSON && isObject)):
		r.Kind = KindSuccess
	case success && validJSON:
		r.Kind, r.Note = KindNonJSON, "2xx body is JSON but not an object"
	case success:
		r.Kind, r.Note = KindNonJSON, "2xx body is not JSON"
	case r.Code != "":
		r.Kind = KindError
		if !validJSON && !empty {
			r.Note = "error code from header; body is not JSON"
		}
	case empty:
		r.Kind, r.Note = KindNonJSON, "empty body, no error code"
	case validJSON && isObject:
		r.Kind, r.Note = KindNonJSON, "a JSON error body without an error code (no X-Amzn-ErrorType, __type or code)"
	case validJSON:
		r.Kind, r.Note = KindNonJSON, "JSON body without error code"
	default:
		r.Kind, r.Note = KindNonJSON, "body is not JSON, no error code header"
	}
}

// transportRule maps a client-side failure to a Kind.
type transportRule struct {
	kind  Kind
	match func(error) bool
}

// transportRules are tried in order; the first match wins.
var transportRules = []transportRule{
	{KindTimeout, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	{KindTimeout, func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}},
	{KindRefused, func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
	{KindRefused, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
	{KindRefused, func(err error) bool { return errors.Is(err, syscall.EPIPE) }},
	{KindRefused, func(err error) bool {
		var de *net.DNSError
		return errors.As(err, &de)
	}},
	// The server closed the connection without (a complete) response.
	{KindRefused, func(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) }},
}

// transportKind classifies a client-side failure.
func transportKind(err error) Kind {
	for _, rule := range transportRules {
		if rule.match(err) {
			return rule.kind
		}
	}
	return KindTransport
}

// describeTransport is a one-line account of a client-side failure.
func describeTransport(err error, timeout time.Duration) string {
	switch transportKind(err) {
	case KindTimeout:
		return "timeout after " + timeout.String()
	case KindRefused:
		return "unreachable: " + text.OneLine(err.Error())
	default:
		return text.OneLine(err.Error())
	}
}

// unsupportedRule recognises a target that does not implement an operation.
type unsupportedRule struct {
	name  string
	match func(r *Response) bool
}

// unsupportedCodes are error codes that say "no such operation".
var unsupportedCodes = []string{
	"UnknownOperationException", "UnknownOperation", "InvalidAction",
	"NotImplemented", "NotImplementedException", "InternalFailure/NotImplemented",
}

// unsupportedPhrases in a body say the operation is not implemented.
var unsupportedPhrases = []string{"not yet implemented", "not implemented", "has not been implemented"}

// unsupportedRules are tried in order; the first match is the evidence.
var unsupportedRules = []unsupportedRule{
	{"status 501", func(r *Response) bool { return r.Status == http.StatusNotImplemented }},
	{"error code", func(r *Response) bool {
		for _, c := range unsupportedCodes {
			if strings.EqualFold(r.Code, c) {
				return true
			}
		}
		return false
	}},
	{"body text", func(r *Response) bool { return r.Status >= 300 && phraseIn(r.Body) != "" }},
	{"HTML 500", func(r *Response) bool { return r.Status == http.StatusInternalServerError && looksHTML(r) }},
	// A 404 that carries an error the contract knows is that error (the
	// newer model gives HandshakeNotFoundException and others 404), not a
	// missing operation.
	{"404 on POST /", func(r *Response) bool {
		return r.Status == http.StatusNotFound && r.Exchange != nil && r.Exchange.Method == http.MethodPost && !knownError(r.Code)
	}},
}

// knownError reports whether code is an error the contract models or a
// common error of every AWS action.
func knownError(code string) bool {
	if code == "" {
		return false
	}
	c, err := specs.Load()
	if err != nil {
		return false
	}
	if _, ok := c.Error(code); ok {
		return true
	}
	_, ok := c.CommonError(code)
	return ok
}

// Unsupported reports whether the target evidently does not implement the
// operation, with one line of evidence: status 501; an
// UnknownOperationException / InvalidAction / NotImplemented code; "not
// implemented" text in an error body; moto's HTML 500 (its log says "has
// not been implemented"); a 404 to the POST.
func (r *Response) Unsupported() (bool, string) {
	if r == nil || r.Status == 0 || (r.Status >= 200 && r.Status < 300) {
		return false, ""
	}
	for _, rule := range unsupportedRules {
		if rule.match(r) {
			return true, fmt.Sprintf("%s: %s", rule.name, r.Summary())
		}
	}
	return false, ""
}

// phraseIn returns the first unsupported phrase found in body.
func phraseIn(body []byte) string {
	lower := bytes.ToLower(body)
	for _, p := range unsupportedPhrases {
		if bytes.Contains(lower, []byte(p)) {
			return p
		}
	}
	return ""
}

// looksHTML reports whether the response body is an HTML page.
func looksHTML(r *Response) bool {
	if strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "html") {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(r.Body))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// Summary is a one-line account: "200 success", "400
// HandshakeNotFoundException (Reason X): msg", "500 non-json: <first 80
// chars>", "timeout after 10s".
func (r *Response) Summary() string {
	if r == nil {
		return "no response"
	}
	var s string
	switch r.Kind {
	case KindTimeout:
		s = "timeout after " + r.Timeout.String()
		if r.Status != 0 {
			s = fmt.Sprintf("%d %s", r.Status, s)
		}
	case KindRefused, KindTransport:
		s = fmt.Sprintf("%s: %s", r.Kind, errText(r.Err))
		if r.Status != 0 {
			s = fmt.Sprintf("%d %s", r.Status, s)
		}
	case KindSuccess:
		s = fmt.Sprintf("%d success", r.Status)
	case KindError:
		s = fmt.Sprintf("%d %s", r.Status, r.Code)
		if r.Reason != "" {
			s += " (Reason " + r.Reason + ")"
		}
		if r.Message != "" {
			s += ": " + r.Message
		}
	case KindTooLarge:
		s = fmt.Sprintf("%d %s", r.Status, r.Note)
	case KindNonJSON:
		// Redact before cutting, so no part of an echoed secret survives.
		label := "non-json"
		if r.Note != "" && strings.HasPrefix(r.Note, "a JSON error body") {
			label = "JSON error without a code"
		}
		s = fmt.Sprintf("%d %s: %s", r.Status, label, text.Snippet([]byte(r.redact(string(r.Body))), 80))
	default:
		s = fmt.Sprintf("%d %s", r.Status, r.Kind)
	}
	return text.Visible(text.OneLine(r.redact(s)), "")
}

// redact replaces the caller's secrets (secret key, session token, the
// request's signature) and anything shaped like a SigV4 signature in s: a
// target may echo them in its error message.
func (r *Response) redact(s string) string {
	if r.Exchange != nil {
		return r.Exchange.secrets.String(s)
	}
	return (*redact.Secrets)(nil).String(s)
}

// errText is err's message, or "unknown error".
func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// TooLarge reports whether the answer's body was larger than MaxBody, so
// only its first MaxBody bytes were read.
func (r *Response) TooLarge() bool { return r != nil && r.Truncated }

// sizeText writes n bytes in the largest binary unit that divides it.
func sizeText(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
