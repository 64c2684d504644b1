package endpoint

import (
	"bytes"
	"net/http"
	"strings"
)

// Redacted replaces a secret.
const Redacted = "REDACTED"

// minSecretLen is the shortest secret replaced inside bodies and header
// values. Shorter ones are placeholders (LocalStack's "test"); replacing them
// everywhere would mangle transcripts without protecting anything.
const minSecretLen = 8

// redactedHeaders maps a header to its redaction.
var redactedHeaders = map[string]func(string) string{
	"Authorization":        redactAuthorization,
	"X-Amz-Security-Token": func(string) string { return Redacted },
	"Cookie":               func(string) string { return Redacted },
	"Set-Cookie":           func(string) string { return Redacted },
}

// Redact returns a copy of h with credentials hidden: Authorization keeps
// only the scheme and access key id ("AWS4-HMAC-SHA256 Credential=<akid>/...
// REDACTED"), X-Amz-Security-Token and cookies become REDACTED.
func Redact(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		fn := redactedHeaders[http.CanonicalHeaderKey(k)]
		cp := make([]string, len(vs))
		for i, v := range vs {
			if fn != nil {
				v = fn(v)
			}
			cp[i] = v
		}
		out[k] = cp
	}
	return out
}

// redactAuthorization keeps the scheme and the access key id of a SigV4
// Authorization value and drops the rest, signature included.
func redactAuthorization(v string) string {
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
	cred := rest[i+len(prefix):]
	akid, _, _ := strings.Cut(cred, "/")
	akid, _, _ = strings.Cut(akid, ",")
	return scheme + " " + prefix + akid + "/... " + Redacted
}

// signatureOf returns the Signature of a SigV4 Authorization value.
func signatureOf(auth string) string {
	_, sig, ok := strings.Cut(auth, "Signature=")
	if !ok {
		return ""
	}
	sig, _, _ = strings.Cut(sig, ",")
	if sig = strings.TrimSpace(sig); len(sig) < minSecretLen {
		return ""
	}
	return sig
}

// secretsOf lists p's secrets worth redacting.
func secretsOf(p *Principal) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range []string{p.SecretAccessKey, p.SessionToken} {
		if len(s) >= minSecretLen {
			out = append(out, s)
		}
	}
	return out
}

// redactBytes returns b with every secret replaced by Redacted (a copy when
// anything changed).
func redactBytes(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		// Also the JSON-escaped spelling of a secret with a '/'.
		for _, form := range []string{s, strings.ReplaceAll(s, "/", `\/`)} {
			if form != "" && bytes.Contains(b, []byte(form)) {
				b = bytes.ReplaceAll(b, []byte(form), []byte(Redacted))
			}
		}
	}
	return b
}

// Redact returns s with every secret of the target's fixed principals
// (secret keys, session tokens) and anything shaped like a SigV4 signature
// replaced by REDACTED: apply it to any text built from what a target sent
// before printing it.
func (t *Target) Redact(s string) string {
	t.mu.Lock()
	var secrets []string
	for _, p := range t.fixed {
		secrets = append(secrets, secretsOf(&p)...)
	}
	t.mu.Unlock()
	s = string(redactBytes([]byte(s), secrets))
	return sigV4Signature.ReplaceAllString(s, "Signature="+Redacted)
}
