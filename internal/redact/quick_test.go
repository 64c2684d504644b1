package redact

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// oracleGap is what may stand between two characters of an echoed secret
// in the forms the property below generates: whitespace, raw or escaped.
const oracleGap = `(?:[\t\n\v\f\r \x{85}\x{A0}\x{3000}]|\\[nrt])*`

// oraclePattern is a regular expression of s in every encoding the
// property below generates, character by character: the specification
// unfold is checked against, written independently of it.
func oraclePattern(s string) string {
	named := map[rune]string{'/': "&sol;", '+': "&plus;", '=': "&equals;"}
	var b strings.Builder
	for i, c := range s {
		if i > 0 {
			b.WriteString(oracleGap)
		}
		forms := []string{
			regexp.QuoteMeta(string(c)),
			fmt.Sprintf(`\\{1,2}u(?i:%04x)`, c), // JSON-escaped once or twice
			fmt.Sprintf(`%%(?:25){0,2}(?i:%02x)`, c),
			fmt.Sprintf(`&#[xX]0*(?i:%x);?`, c),
			fmt.Sprintf(`&#0*%d;?`, c),
		}
		if c == '/' {
			forms = append(forms, `\\{1,3}/`)
		}
		if n, ok := named[c]; ok {
			forms = append(forms, n)
		}
		b.WriteString("(?:" + strings.Join(forms, "|") + ")")
	}
	return b.String()
}

// oracleRedact replaces in every span that matches pattern (the longest
// match from each position; overlapping spans joined) by REDACTED.
func oracleRedact(pattern, in string) string {
	re := regexp.MustCompile(`^(?:` + pattern + `)`)
	re.Longest()
	var out strings.Builder
	last, end := 0, -1 // the span being joined is [start, end)
	start := 0
	for i := 0; i <= len(in); i++ {
		loc := []int(nil)
		if i < len(in) {
			loc = re.FindStringIndex(in[i:])
		}
		if end >= 0 && (i >= end || i == len(in)) { // the span joined so far is complete
			out.WriteString(in[last:start] + Redacted)
			last, end = end, -1
		}
		if loc == nil {
			continue
		}
		if end < 0 {
			start, end = i, i+loc[1]
		} else {
			end = max(end, i+loc[1])
		}
	}
	out.WriteString(in[last:])
	return out.String()
}

// TestUnfoldAgreesWithTheExpression: for generated secrets (base64 and
// hex, as keys, tokens and signatures are) and text mixing noise,
// whitespace, escapes and the secret in every encoding (raw, JSON, URL
// once and twice, HTML references of each kind, split by whitespace),
// whole or cut, no span that a regular expression of the secret in those
// encodings matches is left in String's answer (nor Bytes'), and text it
// matches nowhere is left as it is. (String may redact a few more bytes
// than the expression: it decodes across characters, so in "%3\u0030"
// the "%3" and the escaped "0" make a "0"; TestSecretsEveryEncoding pins
// exact answers.)
func TestUnfoldAgreesWithTheExpression(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		alphabet := rapid.SampledFrom([]string{"0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+="}).Draw(rt, "alphabet")
		n := rapid.IntRange(MinSecretLen, 48).Draw(rt, "len")
		var b strings.Builder
		for i := range n {
			b.WriteByte(alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(rt, "c"+string(rune('0'+i%10)))])
		}
		secret := b.String()
		pieces := rapid.SliceOfN(rapid.SampledFrom([]string{
			"secret", "cut", "noise", "break", "escaped-break", "backslash", "percent", "percent25", "amp", "entity",
			"json", "url", "url-double", "slash", "html-hex", "html-dec", "html-named",
		}), 0, 8).Draw(rt, "pieces")
		var text strings.Builder
		for _, p := range pieces {
			switch p {
			case "secret":
				text.WriteString(secret)
			case "cut":
				i := rapid.IntRange(1, len(secret)-1).Draw(rt, "at")
				text.WriteString(secret[:i] + rapid.SampledFrom([]string{"\n", "\r\n  ", "\n\t", `\n`, `\r`, " ", "\t", "  ", "\u00a0", "\u3000"}).Draw(rt, "gap") + secret[i:])
			case "noise":
				text.WriteString(rapid.StringMatching(`[ -~]{0,12}`).Draw(rt, "noise"))
			case "break":
				text.WriteString("\n ")
			case "escaped-break":
				text.WriteString(`\n`)
			case "backslash":
				text.WriteString(`\"`)
			case "percent":
				text.WriteString("%2F")
			case "percent25":
				text.WriteString("100%25")
			case "amp":
				text.WriteString("&amp; ")
			case "entity":
				text.WriteString("&#x2F;")
			case "json":
				text.WriteString(jsonEscapeAll(secret))
			case "url":
				text.WriteString("%" + strings.Join(hexes(secret), "%"))
			case "url-double":
				text.WriteString(url.QueryEscape(url.QueryEscape(secret)))
			case "slash":
				text.WriteString(strings.ReplaceAll(secret, "/", `\/`))
			case "html-hex":
				text.WriteString(htmlEscapeAll(secret, "&#x%X;"))
			case "html-dec":
				text.WriteString(htmlEscapeAll(secret, "&#%d;"))
			case "html-named":
				text.WriteString(strings.NewReplacer("/", "&sol;", "+", "&plus;", "=", "&equals;").Replace(secret))
			}
		}
		in := text.String()
		pattern := oraclePattern(secret)
		r := NewSecrets(secret)
		got := r.String(in)
		require.Equal(rt, got, string(r.Bytes([]byte(in))))
		require.Equal(rt, got, oracleRedact(pattern, got), "no encoding of the secret is left")
		if oracleRedact(pattern, in) == in {
			require.Equal(rt, signatureShape.ReplaceAllLiteralString(in, "Signature="+Redacted), got, "text without the secret is left alone")
		}
	})
}

// TestPlainTextCostsNoAllocation: text that holds no secret is returned
// as it is, decoded in pooled buffers without allocating.
func TestPlainTextCostsNoAllocation(t *testing.T) {
	r := NewSecrets(secret)
	plain := `{"__type":"HandshakeConstraintViolationException","Message":"The handshake h-0123456789 cannot be accepted &amp; 100%25 \u002F"}`
	require.Equal(t, plain, r.String(plain))
	r.String(plain) // fill the pool
	require.Zero(t, testing.AllocsPerRun(100, func() { r.String(plain) }))
	require.Equal(t, "a "+Redacted, r.String("a "+secret))
}

// htmlEscapeAll writes every character of s as an HTML character
// reference in format (&#x%X; or &#%d;).
func htmlEscapeAll(s, format string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}
