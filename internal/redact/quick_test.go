package redact

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestQuickTestAgreesWithTheExpression: the quick path that spares most
// text the regular expression never lets an echoed secret through. For
// generated secrets (base64 and hex, as keys, tokens and signatures are)
// and text mixing noise, line breaks, escapes and the secret in every
// encoding, whole or cut, String equals the regular expression's answer.
func TestQuickTestAgreesWithTheExpression(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		alphabet := rapid.SampledFrom([]string{"0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"}).Draw(rt, "alphabet")
		n := rapid.IntRange(MinSecretLen, 48).Draw(rt, "len")
		var b strings.Builder
		for i := range n {
			b.WriteByte(alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(rt, "c"+string(rune('0'+i%10)))])
		}
		secret := b.String()
		pieces := rapid.SliceOfN(rapid.SampledFrom([]string{
			"secret", "cut", "noise", "break", "escaped-break", "backslash", "percent", "json", "url", "slash",
		}), 0, 8).Draw(rt, "pieces")
		var text strings.Builder
		for _, p := range pieces {
			switch p {
			case "secret":
				text.WriteString(secret)
			case "cut":
				i := rapid.IntRange(1, len(secret)-1).Draw(rt, "at")
				text.WriteString(secret[:i] + rapid.SampledFrom([]string{"\n", "\r\n  ", "\n\t", `\n`, `\r`}).Draw(rt, "gap") + secret[i:])
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
			case "json":
				text.WriteString(jsonEscapeAll(secret))
			case "url":
				text.WriteString("%" + strings.Join(hexes(secret), "%"))
			case "slash":
				text.WriteString(strings.ReplaceAll(secret, "/", `\/`))
			}
		}
		in := text.String()
		full := regexp.MustCompile(pattern(secret))
		want := signatureShape.ReplaceAllLiteralString(full.ReplaceAllLiteralString(in, Redacted), "Signature="+Redacted)
		r := NewSecrets(secret)
		require.Equal(rt, want, r.String(in))
		require.Equal(rt, want, string(r.Bytes([]byte(in))))
	})
}

// TestQuickTestSparesPlainText: text that cannot hold an encoded secret
// is not given to the regular expression (it is never compiled), and a
// verbatim secret in it is still redacted.
func TestQuickTestSparesPlainText(t *testing.T) {
	r := NewSecrets(secret)
	require.Equal(t, `{"Handshake":{"Id":"h-0123456789"}}`, r.String(`{"Handshake":{"Id":"h-0123456789"}}`))
	require.Equal(t, "a "+Redacted, r.String("a "+secret))
	require.Nil(t, r.re, "plain text does not compile the expression")
}
