package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// escapeAll writes every character of s as a JSON \u escape.
func escapeAll(s string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, `\u%04X`, c)
	}
	return b.String()
}

// htmlEscape writes s with the characters of base64 and secret keys that
// HTML escapers touch ('/', '+', '=') as character references, in the
// style given: hex (&#x2F;), decimal (&#47;) or named (&sol;).
func htmlEscape(style string) func(string) string {
	forms := map[string]map[rune]string{
		"hex":     {'/': "&#x2F;", '+': "&#x2B;", '=': "&#x3D;"},
		"decimal": {'/': "&#47;", '+': "&#43;", '=': "&#61;"},
		"named":   {'/': "&sol;", '+': "&plus;", '=': "&equals;"},
	}[style]
	return func(s string) string {
		var b strings.Builder
		for _, c := range s {
			if f, ok := forms[c]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(c)
			}
		}
		return b.String()
	}
}

// htmlEscapeAll writes every character of s as a hex character reference,
// as some error pages render echoed headers.
func htmlEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, "&#x%x;", c)
	}
	return b.String()
}

// TestSecretsRedactedInEveryEncoding: targets that echo the request's
// session token and secret key back JSON-escaped, URL-encoded (once, or
// twice by a re-encoding proxy), as HTML character references (error
// pages) or split across lines or by other whitespace; no encoding of them
// reaches the console or a report.
func TestSecretsRedactedInEveryEncoding(t *testing.T) {
	const secret, token = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY", "FQoGZXIvYXdzEJr//////////wEaDSESSIONTOKEN0123"
	encodings := map[string]func(string) string{
		"json-unicode":    func(s string) string { return escapeAll(s) },
		"json-slash":      func(s string) string { return strings.ReplaceAll(s, "/", `\/`) },
		"url":             url.QueryEscape,
		"url-path":        url.PathEscape,
		"split-lines":     func(s string) string { return s[:9] + `\n` + s[9:21] + `\r\n` + s[21:] },
		"html-hex":        htmlEscape("hex"),
		"html-decimal":    htmlEscape("decimal"),
		"html-named":      htmlEscape("named"),
		"html-all":        htmlEscapeAll,
		"url-double":      func(s string) string { return url.QueryEscape(url.QueryEscape(s)) },
		"url-path-double": func(s string) string { return url.PathEscape(url.PathEscape(s)) },
		"split-space":     func(s string) string { return s[:9] + " " + s[9:21] + "  " + s[21:] },
		"split-tab":       func(s string) string { return s[:9] + "\t" + s[9:21] + "\u00a0" + s[21:] },
	}
	for name, encode := range encodings {
		t.Run(name, func(t *testing.T) {
			echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tok := r.Header.Get("X-Amz-Security-Token")
				if tok == "" { // the reachability probe
					w.WriteHeader(404)
					return
				}
				// The body is raw JSON text: encoded forms go in as they are.
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Header().Set("X-Echo-Token", url.QueryEscape(tok))
				w.WriteHeader(400)
				fmt.Fprintf(w, `{"__type":"InvalidInputException","Message":"token %s secret %s"}`, encode(tok), encode(secret))
			}))
			defer echo.Close()
			dir := t.TempDir()
			creds := filepath.Join(dir, "credentials")
			require.NoError(t, os.WriteFile(creds, []byte("[p]\naws_access_key_id = AKIAEXAMPLE0\naws_secret_access_key = "+secret+"\naws_session_token = "+token+"\n"), 0o600))
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			file := filepath.Join(dir, "target.json")
			data, _ := json.Marshal(map[string]any{"endpoint": echo.URL, "principals": map[string]any{"outsider": map[string]string{"profile": "p", "account_id": "100000000001"}}})
			require.NoError(t, os.WriteFile(file, data, 0o600))
			jsonPath, junitPath, mdPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.md")
			code, out, errOut := runRunner(t, "--target-file", file, "--run", "^input/AcceptHandshake/upper-case$", "--json", jsonPath, "--junit", junitPath, "--markdown", mdPath)
			require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			require.Contains(t, out, "token REDACTED secret REDACTED", "the echo is shown, with both secrets redacted")
			jsonOut, _ := os.ReadFile(jsonPath)
			junitOut, _ := os.ReadFile(junitPath)
			mdOut, _ := os.ReadFile(mdPath)
			for where, text := range map[string]string{"console": out + errOut, "json": string(jsonOut), "junit": string(junitOut), "markdown": string(mdOut)} {
				for _, s := range []string{secret, token} {
					for ename, enc := range encodings {
						assert.NotContains(t, text, enc(s), "%s: %s", where, ename)
					}
					assert.NotContains(t, text, s[:12], "%s: not even a prefix", where)
				}
			}
		})
	}
}
