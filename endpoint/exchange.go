package endpoint

import (
	"fmt"
	"github.com/orgconform/orgconform/internal/redact"
	"github.com/orgconform/orgconform/internal/text"
	"net/http"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// transcriptBodyLimit is how much of each body Exchange.String shows.
const transcriptBodyLimit = 4 << 10

// Exchange is one captured HTTP request/response pair with secrets
// redacted: headers through redact.Header, and the caller's secret access key and
// session token replaced by REDACTED wherever they appear. Status is 0 when
// no response arrived.
type Exchange struct {
	Method        string
	URL           string
	RequestHeader http.Header
	// RequestBody is the head of the request body (at most
	// transcriptBodyLimit bytes), RequestSize its whole length.
	RequestBody    []byte
	RequestSize    int
	Status         int
	ResponseHeader http.Header
	// ResponseBody is the head of the response body (at most
	// transcriptBodyLimit bytes), ResponseSize the length read.
	ResponseBody []byte
	ResponseSize int
	// ResponseTruncated says the response body was larger than MaxBody.
	ResponseTruncated bool

	secrets *redact.Secrets // applied again by String
}

// newExchange returns a redacted exchange for a request signed as p (nil
// for unsigned).
func newExchange(p *Principal, method, url string, reqHeader http.Header, reqBody []byte) *Exchange {
	// The request's signature too, in case the target echoes it.
	e := &Exchange{Method: method, URL: url, secrets: redact.With(secretsOf(p), redact.SignatureOf(reqHeader.Get("Authorization")))}
	e.RequestHeader = e.redactHeader(reqHeader)
	e.RequestBody, e.RequestSize = e.secrets.Bytes(head(reqBody)), len(reqBody)
	return e
}

// setResponse records the response part, redacted.
func (e *Exchange) setResponse(status int, header http.Header, body []byte, truncated bool) {
	e.Status = status
	e.ResponseHeader = e.redactHeader(header)
	e.ResponseBody, e.ResponseSize = e.secrets.Bytes(head(body)), len(body)
	e.ResponseTruncated = truncated
}

// redactHeader applies redact.Header and then the secrets.
func (e *Exchange) redactHeader(h http.Header) http.Header {
	out := redact.Header(h)
	for k, vs := range out {
		for i, v := range vs {
			vs[i] = e.secrets.String(v)
		}
		out[k] = vs
	}
	return out
}

// String is an HTTP/1.1-like transcript, request then response, headers
// sorted, bodies shown up to 4 KiB. Secrets are redacted.
func (e *Exchange) String() string {
	if e == nil {
		return "(no exchange)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\n", e.Method, e.URL)
	writeHeader(&b, e.RequestHeader, e.secrets)
	writeBody(&b, e.RequestBody, e.RequestSize, false, e.secrets)
	b.WriteString("\n")
	if e.Status == 0 {
		b.WriteString("(no response)\n")
		return b.String()
	}
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\n", e.Status, http.StatusText(e.Status))
	writeHeader(&b, e.ResponseHeader, e.secrets)
	writeBody(&b, e.ResponseBody, e.ResponseSize, e.ResponseTruncated, e.secrets)
	return b.String()
}

// writeHeader writes h sorted by name, one line per value.
func writeHeader(b *strings.Builder, h http.Header, secrets *redact.Secrets) {
	h = redact.Header(h)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", k, secrets.String(text.OneLine(v)))
		}
	}
}

// writeBody writes a blank line and body, cut at transcriptBodyLimit.
func writeBody(b *strings.Builder, body []byte, size int, truncated bool, secrets *redact.Secrets) {
	b.WriteString("\n")
	if len(body) == 0 {
		return
	}
	body = secrets.Bytes(body)
	shown, rest := body, max(size, len(body))-len(body)
	if len(body) > transcriptBodyLimit {
		shown, rest = body[:transcriptBodyLimit], rest+len(body)-transcriptBodyLimit
	}
	if rest > 0 {
		shown = trimPartialRune(shown)
	}
	if printable(shown) {
		b.Write(shown)
	} else {
		fmt.Fprintf(b, "%q", shown)
	}
	if rest > 0 {
		fmt.Fprintf(b, "\n… (%d more bytes)", rest)
	}
	if truncated {
		fmt.Fprintf(b, "\n… (larger than %s; only that much was read)", sizeText(MaxBody))
	}
	b.WriteString("\n")
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of b
// by cutting it.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return b
}

// printable reports whether b is UTF-8 text without control characters
// other than tab, CR and LF.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// head is the part of a body an Exchange keeps: a transcript shows no
// more, and a run's memory must not grow with the target's answers. A
// little more than the transcript shows is kept, so that a secret
// straddling the cut is still redacted before the cut is made.
func head(body []byte) []byte {
	const keep = transcriptBodyLimit + 256
	if len(body) <= keep {
		return append([]byte(nil), body...)
	}
	return append([]byte(nil), body[:keep]...)
}
