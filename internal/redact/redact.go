// Package redact hides credentials: in HTTP headers (Authorization,
// security tokens, cookies, anything named or shaped like a secret), and in
// any text a target sends back, whatever the encoding it echoes a secret in.
package redact

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
)

// Redacted replaces a secret.
const Redacted = "REDACTED"

// MinSecretLen is the shortest secret replaced inside text. Shorter ones are
// placeholders (LocalStack's "test"); replacing them everywhere would mangle
// transcripts without protecting anything.
const MinSecretLen = 8

// wholeHeaders are redacted whatever their value.
var wholeHeaders = []string{"X-Amz-Security-Token", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// secretKeyShape matches a value shaped like an AWS secret access key: 40
// characters of [A-Za-z0-9/+], not part of a longer such run (so a
// 64-character SHA-256 hex digest is not taken for one).
var secretKeyShape = regexp.MustCompile(`(^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+]|$)`)

// Header returns a copy of h with credentials hidden. Authorization keeps
// its scheme and access key id, which identify the caller without
// authorizing anything ("AWS4-HMAC-SHA256 Credential=AKID/... REDACTED");
// security tokens, cookies, any header whose name contains "secret" and any
// value shaped like a secret access key become REDACTED. h is not modified;
// Header is idempotent.
func Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		cp := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case ck == "Authorization":
				v = authorization(v)
			case contains(wholeHeaders, ck) || strings.Contains(strings.ToLower(ck), "secret"):
				v = Redacted
			case secretKeyShape.MatchString(v):
				v = Redacted
			}
			cp[i] = v
		}
		out[k] = cp
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// authorization keeps the scheme and the access key id of a SigV4
// Authorization value and drops the rest, signature included.
func authorization(v string) string {
	if strings.HasSuffix(v, "/... "+Redacted) || v == Redacted {
		return v // already redacted
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.HasPrefix(scheme, "AWS4-") {
		return Redacted
	}
	const prefix = "Credential="
	i := strings.Index(rest, prefix)
	if i < 0 {
		return scheme + " " + Redacted
	}
	akid, _, _ := strings.Cut(rest[i+len(prefix):], "/")
	akid, _, _ = strings.Cut(akid, ",")
	return scheme + " " + prefix + akid + "/... " + Redacted
}

// SignatureOf returns the Signature of a SigV4 Authorization value, or ""
// when it has none worth redacting.
func SignatureOf(auth string) string {
	_, sig, ok := strings.Cut(auth, "Signature=")
	if !ok {
		return ""
	}
	sig, _, _ = strings.Cut(sig, ",")
	if sig = strings.TrimSpace(sig); len(sig) < MinSecretLen {
		return ""
	}
	return sig
}

// signatureShape is anything shaped like an echoed SigV4 signature.
var signatureShape = regexp.MustCompile(`Signature=[0-9a-fA-F]{16,}`)

// Secrets redacts a fixed set of secrets from text, in every encoding a
// target may echo them in, nested and mixed character by character: raw,
// JSON- or JavaScript-escaped (\uXXXX, \xXX, \/, \\), URL-encoded (%XX,
// either case, and again by a re-encoding proxy: %252F), HTML character
// references (&#x2F;, &#47;, &sol; and every other named one), and split by
// whitespace (spaces, tabs, line breaks, no-break and other Unicode spaces,
// raw or encoded) between any two characters. It also redacts anything
// shaped like a SigV4 signature. The zero value and nil redact signatures
// only.
//
// It finds secrets in the decoded text and replaces the encoded span they
// came from: the text is decoded layer by layer (see unfold), each layer
// searched for every secret, and nothing else in the text changes.
type Secrets struct {
	needles [][]byte // the secrets without their whitespace, each at least MinSecretLen long
}

// NewSecrets returns a redactor for secrets; those shorter than
// MinSecretLen are ignored.
func NewSecrets(secrets ...string) *Secrets {
	var needles [][]byte
	seen := map[string]bool{}
	for _, s := range secrets {
		n := stripSpace(s)
		if len(s) < MinSecretLen || len(n) < MinSecretLen || seen[n] {
			continue
		}
		seen[n] = true
		needles = append(needles, []byte(n))
	}
	return &Secrets{needles: needles}
}

// stripSpace is s without the whitespace unfold drops.
func stripSpace(s string) string {
	return strings.Map(func(c rune) rune {
		if isSpace(c) {
			return -1
		}
		return c
	}, s)
}

// String returns s with every secret and signature replaced by REDACTED.
func (r *Secrets) String(s string) string {
	if r != nil && len(r.needles) > 0 {
		if spans := find(r.needles, s); spans != nil {
			var b strings.Builder
			b.Grow(len(s))
			last := 0
			for _, sp := range spans {
				b.WriteString(s[last:sp.start])
				b.WriteString(Redacted)
				last = sp.end
			}
			b.WriteString(s[last:])
			s = b.String()
		}
	}
	if !strings.Contains(s, "Signature=") {
		return s
	}
	return signatureShape.ReplaceAllLiteralString(s, "Signature="+Redacted)
}

// Bytes is String for a byte slice; b is not modified.
func (r *Secrets) Bytes(b []byte) []byte {
	if r != nil && len(r.needles) > 0 {
		if spans := find(r.needles, b); spans != nil {
			out := make([]byte, 0, len(b))
			last := 0
			for _, sp := range spans {
				out = append(append(out, b[last:sp.start]...), Redacted...)
				last = sp.end
			}
			b = append(out, b[last:]...)
		}
	}
	if !bytes.Contains(b, []byte("Signature=")) {
		return b
	}
	return signatureShape.ReplaceAllLiteral(b, []byte("Signature="+Redacted))
}

// With returns a redactor for r's secrets and more.
func With(secrets []string, more ...string) *Secrets {
	return NewSecrets(append(append([]string(nil), secrets...), more...)...)
}
