package redact

// The redactor as it was before HTML character references, double URL
// encoding and whitespace splits were handled (a regular expression of
// every secret in every encoding, behind a quick test): the baseline of
// BenchmarkSecrets, copied verbatim but for its names.

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// legacySignatureShape is anything shaped like an echoed SigV4 signature.
var legacySignatureShape = regexp.MustCompile(`Signature=[0-9a-fA-F]{16,}`)

// Secrets redacts a fixed set of secrets from text, in every encoding a
// target may echo them in: raw, JSON-escaped (\uXXXX for any character, \/
// for '/'), URL-encoded (%XX, either case) or mixed, and split across lines
// (a line break, or an escaped \n or \r, between any two characters). It
// also redacts anything shaped like a SigV4 signature. The zero value and
// nil redact signatures only.
type legacySecrets struct {
	raw  []string // the secrets, each at least MinSecretLen long
	once sync.Once
	re   *regexp.Regexp // one alternation of every secret's pattern, compiled on first need
}

// NewSecrets returns a redactor for secrets; those shorter than
// MinSecretLen are ignored.
func newLegacySecrets(secrets ...string) *legacySecrets {
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
		return &legacySecrets{}
	}
	return &legacySecrets{raw: raw}
}

// pattern returns the compiled alternation of every secret in every
// encoding, compiling it on first use: most texts are redacted by plain
// replacement (verbatim), and compiling costs more than a request.
func (r *legacySecrets) legacyPattern() *regexp.Regexp {
	r.once.Do(func() {
		alts := make([]string, len(r.raw))
		for i, s := range r.raw {
			alts[i] = legacyPattern(s)
		}
		r.re = regexp.MustCompile(strings.Join(alts, "|"))
	})
	return r.re
}

// encoded are the characters without which a text can hold a secret only
// verbatim: escapes (\uXXXX, \/), URL encoding and line breaks.
const legacyEncoded = "\\%\r\n"

// gap is what may stand between two characters of an echoed secret: line
// breaks with indentation, or escaped line breaks.
const legacyGap = `(?:\r?\n[ \t]*|\\r|\\n)*`

// pattern is the regular expression of s in every encoding.
func legacyPattern(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 {
			b.WriteString(legacyGap)
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
func (r *legacySecrets) String(s string) string {
	switch {
	case r == nil || len(r.raw) == 0:
	case !strings.ContainsAny(s, legacyEncoded):
		for _, secret := range r.raw {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	default:
		s = r.legacyPattern().ReplaceAllLiteralString(s, Redacted)
	}
	return legacySignatureShape.ReplaceAllLiteralString(s, "Signature="+Redacted)
}

// Bytes is String for a byte slice; b is not modified.
func (r *legacySecrets) Bytes(b []byte) []byte {
	switch {
	case r == nil || len(r.raw) == 0:
	case !bytes.ContainsAny(b, legacyEncoded):
		for _, secret := range r.raw {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(Redacted))
		}
	default:
		b = r.legacyPattern().ReplaceAllLiteral(b, []byte(Redacted))
	}
	return legacySignatureShape.ReplaceAllLiteral(b, []byte("Signature="+Redacted))
}
