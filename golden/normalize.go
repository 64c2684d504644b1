package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/orgconform/orgconform/internal/redact"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// volatile is one kind of value that differs between two otherwise equal
// bodies, found inside string values by pattern.
type volatile struct {
	kind    string // placeholder stem, e.g. "HANDSHAKE_ID"
	pattern *regexp.Regexp
}

// volatiles are applied to every string value in this order. ARNs are not
// replaced whole: their account id, organization id and handshake id are, so
// that an ARN and the Id beside it keep pointing at the same placeholder.
var volatiles = []volatile{
	{"EMAIL", regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)},
	{"HANDSHAKE_ID", regexp.MustCompile(`\bh-[0-9a-z]{8,32}\b`)},
	{"ORG_ID", regexp.MustCompile(`\bo-[a-z0-9]{10,32}\b`)},
	{"ACCOUNT_ID", regexp.MustCompile(`\b\d{12}\b`)},
}

// Placeholder stems of the values found by key rather than by pattern.
const (
	kindTimestamp = "TIMESTAMP"  // numbers under keys ending in "Timestamp"
	kindRequestID = "REQUEST_ID" // strings under keys named RequestId (any case)
)

// placeholders numbers volatile values by kind, in order of first appearance.
type placeholders map[string]map[string]int

func (p placeholders) get(kind, value string) string {
	byValue := p[kind]
	if byValue == nil {
		byValue = map[string]int{}
		p[kind] = byValue
	}
	n, ok := byValue[value]
	if !ok {
		n = len(byValue) + 1
		byValue[value] = n
	}
	return fmt.Sprintf("<%s_%d>", kind, n)
}

// Normalize returns body with volatile values replaced by numbered
// placeholders and in canonical form (object keys sorted, two-space indent,
// no HTML escaping). Handshake ids, organization ids, 12-digit account ids
// and email addresses are replaced wherever they occur in a string (so ARNs
// and messages are covered); numbers under keys ending in "Timestamp" and
// strings under a "RequestId" key are replaced by key. Placeholders are
// numbered per kind by first appearance, walking object keys in sorted
// order, so two bodies of the same structure normalise equal and a body
// whose Id and Arn name the same handshake keeps them equal. An empty body
// normalises to an empty body; a body that is not JSON is an error.
func Normalize(body []byte) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte{}, nil
	}
	v, err := decode(body)
	if err != nil {
		return nil, err
	}
	v = normalizeValue("", v, placeholders{})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("golden: normalize: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decode reads exactly one JSON value, keeping numbers as written.
func decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("golden: body is not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("golden: body is not JSON: data after the top-level value")
	}
	return v, nil
}

func normalizeValue(key string, v any, p placeholders) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x[k] = normalizeValue(k, x[k], p)
		}
		return x
	case []any:
		for i := range x {
			x[i] = normalizeValue(key, x[i], p)
		}
		return x
	case json.Number:
		if strings.HasSuffix(key, "Timestamp") {
			return p.get(kindTimestamp, x.String())
		}
		return x
	case string:
		if strings.EqualFold(key, "RequestId") {
			return p.get(kindRequestID, x)
		}
		for _, vol := range volatiles {
			x = vol.pattern.ReplaceAllStringFunc(x, func(m string) string { return p.get(vol.kind, m) })
		}
		return x
	default:
		return v
	}
}

// Compare normalises want and got and returns a go-cmp diff (-want +got) of
// the results, "" when they are equal. A body that does not normalise (not
// JSON) makes Compare return a description of that failure.
func Compare(want, got []byte) string {
	w, err := normalizedValue(want)
	if err != nil {
		return "want: " + err.Error()
	}
	g, err := normalizedValue(got)
	if err != nil {
		return "got: " + err.Error()
	}
	return cmp.Diff(w, g)
}

func normalizedValue(body []byte) (any, error) {
	n, err := Normalize(body)
	if err != nil {
		return nil, err
	}
	if len(n) == 0 {
		return nil, nil
	}
	return decode(n)
}

// Redacted is the value Redact puts in place of a secret.
const Redacted = redact.Redacted

// Redact returns a copy of h with credentials hidden (redact.Header):
// Authorization keeps only its scheme and access key id; security tokens,
// cookies, any header whose name contains "secret" and any value shaped
// like a secret access key become REDACTED. h is not modified.
func Redact(h http.Header) http.Header { return redact.Header(h) }
