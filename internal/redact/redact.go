// Package redact hides credentials: in HTTP headers (Authorization,
// security tokens, cookies, anything named or shaped like a secret), and in
// any text a target sends back, whatever the encoding it echoes a secret in.
package redact

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
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
// target may echo them in: raw, JSON-escaped (\uXXXX for any character, \/
// for '/'), URL-encoded (%XX, either case) or mixed, and split across lines
// (a line break, or an escaped \n or \r, between any two characters). It
// also redacts anything shaped like a SigV4 signature. The zero value and
// nil redact signatures only.
type Secrets struct {
	raw  []string // the secrets, each at least MinSecretLen long
	once sync.Once
	re   *regexp.Regexp // one alternation of every secret's pattern, compiled on first need
}

// NewSecrets returns a redactor for secrets; those shorter than
// MinSecretLen are ignored.
func NewSecrets(secrets ...string) *Secrets {
	var raw []string
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) < MinSecretLen || seen[s] {
			continue
		}
		seen[s] = true
		raw = append(raw, s)
	}
	if len(raw) == 0 {
		return &Secrets{}
	}
	return &Secrets{raw: raw}
}

// pattern returns the compiled alternation of every secret in every
// encoding, compiling it on first use: most texts are redacted by plain
// replacement (verbatim), and compiling costs more than a request.
func (r *Secrets) pattern() *regexp.Regexp {
	r.once.Do(func() {
		alts := make([]string, len(r.raw))
		for i, s := range r.raw {
			alts[i] = pattern(s)
		}
		r.re = regexp.MustCompile(strings.Join(alts, "|"))
	})
	return r.re
}

// encoded are the characters without which a text can hold a secret only
// verbatim: escapes (\uXXXX, \/), URL encoding and line breaks.
const encoded = "\\%\r\n"

// gap is what may stand between two characters of an echoed secret: line
// breaks with indentation, or escaped line breaks.
const gap = `(?:\r?\n[ \t]*|\\r|\\n)*`

// pattern is the regular expression of s in every encoding.
func pattern(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 {
			b.WriteString(gap)
		}
		forms := []string{regexp.QuoteMeta(string(c))}
		if c < 0x10000 {
			forms = append(forms, fmt.Sprintf(`\\u(?i:%04x)`, c))
		}
		if c < 0x80 {
			forms = append(forms, fmt.Sprintf(`%%(?i:%02x)`, c))
		}
		if c == '/' {
			forms = append(forms, `\\/`)
		}
		b.WriteString("(?:" + strings.Join(forms, "|") + ")")
	}
	return b.String()
}

// String returns s with every secret and signature replaced by REDACTED.
func (r *Secrets) String(s string) string {
	switch {
	case r == nil || len(r.raw) == 0:
	case !strings.ContainsAny(s, encoded):
		for _, secret := range r.raw {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	default:
		s = r.pattern().ReplaceAllLiteralString(s, Redacted)
	}
	return signatureShape.ReplaceAllLiteralString(s, "Signature="+Redacted)
}

// Bytes is String for a byte slice; b is not modified.
func (r *Secrets) Bytes(b []byte) []byte {
	switch {
	case r == nil || len(r.raw) == 0:
	case !bytes.ContainsAny(b, encoded):
		for _, secret := range r.raw {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(Redacted))
		}
	default:
		b = r.pattern().ReplaceAllLiteral(b, []byte(Redacted))
	}
	return signatureShape.ReplaceAllLiteral(b, []byte("Signature="+Redacted))
}

// With returns a redactor for r's secrets and more.
func With(secrets []string, more ...string) *Secrets {
	return NewSecrets(append(append([]string(nil), secrets...), more...)...)
}
