package redact

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func TestHeader(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	h.Set("X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE")
	h.Set("X-Debug-Secret-Access-Key", "x")
	h.Set("X-Echo", "key="+secret)
	h.Set("X-Amz-Target", "AWSOrganizationsV20161128.AcceptHandshake")
	got := Header(h)
	assert.Equal(t, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/... REDACTED", got.Get("Authorization"))
	for _, k := range []string{"X-Amz-Security-Token", "X-Debug-Secret-Access-Key", "X-Echo"} {
		assert.Equal(t, Redacted, got.Get(k), k)
	}
	assert.Equal(t, "AWSOrganizationsV20161128.AcceptHandshake", got.Get("X-Amz-Target"))
	assert.Contains(t, h.Get("Authorization"), "Signature=", "the input is not modified")
	assert.Equal(t, got, Header(got), "idempotent")
	for in, want := range map[string]string{
		"Bearer abc": Redacted, "AWS4-HMAC-SHA256": Redacted, "": Redacted,
		"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00": "AWS4-HMAC-SHA256 " + Redacted,
	} {
		assert.Equal(t, want, Header(http.Header{"Authorization": {in}}).Get("Authorization"), in)
	}
	assert.Empty(t, Header(nil))
}

func jsonEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range s {
		b.WriteString(`\u00` + strings.ToUpper(string("0123456789abcdef"[c>>4])) + string("0123456789abcdef"[c&15]))
	}
	return b.String()
}

func TestSecretsEveryEncoding(t *testing.T) {
	r := NewSecrets(secret, "test")
	marshalled, _ := json.Marshal(map[string]string{"k": secret})
	for name, echoed := range map[string]string{
		"raw":            secret,
		"json \\u":       jsonEscapeAll(secret),
		"json \\/":       strings.ReplaceAll(secret, "/", `\/`),
		"json.Marshal":   string(marshalled)[6 : len(marshalled)-2],
		"url query":      url.QueryEscape(secret),
		"url all":        "%" + strings.Join(hexes(secret), "%"),
		"split lines":    secret[:10] + "\n  " + secret[10:25] + "\r\n" + secret[25:],
		"escaped breaks": secret[:10] + `\n` + secret[10:],
		"mixed":          jsonEscapeAll(secret[:5]) + secret[5:12] + url.PathEscape(secret[12:]),
		"html hex":       strings.ReplaceAll(secret, "/", "&#x2F;"),
		"html hex all":   htmlEscapeAll(secret, "&#x%x;"),
		"html decimal":   strings.ReplaceAll(secret, "/", "&#47;"),
		"html no semi":   strings.ReplaceAll(secret, "/", "&#47"),
		"html named":     strings.ReplaceAll(secret, "/", "&sol;"),
		"html double":    strings.ReplaceAll(secret, "/", "&amp;#x2F;"),
		"url double":     url.QueryEscape(url.QueryEscape(secret)),
		"url triple":     url.PathEscape(url.PathEscape(url.PathEscape(secret))),
		"json double":    strings.ReplaceAll(secret, "/", `\\u002F`),
		"split space":    secret[:10] + " " + secret[10:25] + "   " + secret[25:],
		"split tab":      secret[:10] + "\t" + secret[10:],
		"split nbsp":     secret[:10] + "\u00a0" + secret[10:] + "",
		"split &nbsp;":   secret[:10] + "&nbsp;" + secret[10:],
		"split %20":      url.PathEscape(secret[:10] + " " + secret[10:]),
	} {
		out := r.String("before " + echoed + " after")
		assert.Equal(t, "before "+Redacted+" after", out, name)
		assert.Equal(t, "before "+Redacted+" after", string(r.Bytes([]byte("before "+echoed+" after"))), name)
	}
	assert.Equal(t, `{"test":"testing"}`, r.String(`{"test":"testing"}`), "short placeholders are left alone")
	hexStart := NewSecrets("AB12cdEF/ghij+klmn")
	assert.Equal(t, "50%"+Redacted, hexStart.String(`50%AB12cdEF\/ghij+klmn`), "a literal %% before an escaped secret does not hide it")
	assert.Equal(t, "100%25"+Redacted, hexStart.String(`100%25AB12cdEF%252Fghij%252Bklmn`), "nor one before a doubly encoded one")
	for _, ordinary := range []string{
		`<p>Fish &amp; chips &lt;b&gt; &#x2F;&#47;&sol; &plus;&equals; &nbsp;&mdash; &#128512; &bogus; &#; &#x; a&b</p>`,
		`GET /v1%252Fitems?q=100%25%20off&r=%2525%ZZ%2 HTTP/1.1`,
		`{"Message":"a\u002Fb \\ \/ \x2F \q \u12","Path":"C:\\temp"}`,
		"wJalrXUtnFEMI K7MDENG bPxRfiCY EXAMPLE key words",
	} {
		assert.Equal(t, ordinary, r.String(ordinary), "ordinary text is left alone")
		assert.Equal(t, ordinary, string(r.Bytes([]byte(ordinary))), "ordinary text is left alone")
	}
	assert.Equal(t, secret[:20], r.String(secret[:20]), "a prefix alone is not a secret")
	assert.Equal(t, "Signature="+Redacted, (*Secrets)(nil).String("Signature=0123456789abcdef0123"))
}

func hexes(s string) []string {
	var out []string
	for _, c := range []byte(s) {
		out = append(out, strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return out
}
