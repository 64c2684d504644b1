package golden_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/specs"
)

func TestParseSampleRequest(t *testing.T) {
	m, err := golden.Read("AcceptHandshake/sample.request.http")
	require.NoError(t, err)
	assert.True(t, m.IsRequest())
	assert.Equal(t, "POST", m.Method)
	assert.Equal(t, "/", m.Target)
	assert.Equal(t, "HTTP/1.1", m.Proto)
	assert.Equal(t, "AWSOrganizationsV20161128.AcceptHandshake", m.Header.Get("X-Amz-Target"))
	assert.Equal(t, specs.Must().Service.ContentType, m.Header.Get("Content-Type"))
	assert.Equal(t, `{"HandshakeId": "h-examplehandshakeid111"}`, string(m.Body))
}

func TestParseSampleResponse(t *testing.T) {
	m, err := golden.Read("AcceptHandshake/sample.response.http")
	require.NoError(t, err)
	assert.False(t, m.IsRequest())
	assert.Equal(t, 200, m.StatusCode)
	assert.Equal(t, "OK", m.Reason)
	// The reference page's sample says application/json, not the awsJson1_1
	// application/x-amz-json-1.1; the golden keeps the documented value (README.md).
	assert.Equal(t, "application/json", m.Header.Get("Content-Type"))
	assert.Contains(t, string(m.Body), `"Id": "h-examplehandshakeid111"`)
}

func TestParseRejectsBadStartLines(t *testing.T) {
	for _, in := range []string{"", "garbage\n\n{}", "HTTP/1.1 abc OK\n\n", "HTTP/1.1 99 X\n\n", "POST /\n\n"} {
		_, err := golden.Parse([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

func TestParseAcceptsCRLF(t *testing.T) {
	m, err := golden.Parse([]byte("HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\r\n{\"__type\":\"X\"}\r\n"))
	require.NoError(t, err)
	assert.Equal(t, 400, m.StatusCode)
	assert.Equal(t, "application/x-amz-json-1.1", m.Header.Get("Content-Type"))
	assert.Equal(t, `{"__type":"X"}`, string(m.Body))
}

func TestBytesRoundTrips(t *testing.T) {
	paths, err := golden.List()
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		m, err := golden.Read(p)
		require.NoError(t, err, p)
		again, err := golden.Parse(m.Bytes())
		require.NoError(t, err, p)
		assert.Equal(t, m, again, p)
	}
}

// Every exception AcceptHandshake documents (specs/operations.json) has one
// error golden, with the status of specs/errors.json, and no golden names an
// undocumented exception.
func TestOneErrorGoldenPerDocumentedException(t *testing.T) {
	c := specs.Must()
	op, ok := c.Operation("AcceptHandshake")
	require.True(t, ok)
	paths, err := golden.List()
	require.NoError(t, err)
	got := map[string]bool{}
	for _, p := range paths {
		if name, ok := errorName(p); ok && strings.HasPrefix(p, "AcceptHandshake/") {
			got[name] = true
			assert.True(t, op.Documents(name), "%s: AcceptHandshake does not document %s", p, name)
			e, ok := c.Error(name)
			require.True(t, ok, name)
			m, err := golden.Read(p)
			require.NoError(t, err)
			assert.Equal(t, e.HTTPStatus, m.StatusCode, p)
			assert.Equal(t, c.Service.ContentType, m.Header.Get("Content-Type"), p)
		}
	}
	for _, name := range op.ErrorNames() {
		assert.True(t, got[name], "no golden for %s", name)
	}
	assert.Len(t, got, 13)
}

// Every response golden of every operation has one expectation in its
// folder's expectations.json, and every expectation names a golden.
func TestEveryGoldenHasAnExpectation(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	require.NotEmpty(t, ops)
	paths, err := golden.List()
	require.NoError(t, err)
	for _, op := range ops {
		exp, err := golden.LoadExpectations(op)
		require.NoError(t, err)
		assert.Equal(t, op, exp.Operation)
		byFile := map[string]golden.Expectation{}
		for _, e := range exp.Files {
			byFile[e.File] = e
		}
		n := 0
		for _, p := range paths {
			rel, ok := strings.CutPrefix(p, op+"/")
			if !ok || strings.HasSuffix(rel, ".request.http") {
				continue
			}
			n++
			e, ok := byFile[rel]
			require.True(t, ok, "no expectation for %s", p)
			assert.Contains(t, []string{"reference", "model"}, e.Source, p)
			if name, isErr := errorName(p); isErr {
				require.NotNil(t, e.Error, p)
				assert.Equal(t, name, e.Error.Code, p)
			} else {
				require.NotNil(t, e.Output, p)
			}
		}
		assert.Equal(t, n, len(exp.Files), "%s: expectations for files that do not exist", op)
	}
}

func TestRedact(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // 40 characters
	require.Len(t, secret, 40)
	sha := strings.Repeat("ab", 32)
	h := http.Header{}
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=abc")
	h.Set("X-Amz-Security-Token", "FwoGZXIvYXdzEJr//////////wEaDExample")
	h.Set("X-Debug-Secret-Access-Key", "anything")
	h.Set("X-Echo", "key="+secret)
	h.Set("X-Amz-Content-Sha256", sha)
	h.Set("X-Amz-Target", "AWSOrganizationsV20161128.AcceptHandshake")
	out := golden.Redact(h)
	assert.Equal(t, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/... REDACTED", out.Get("Authorization"), "the access key id names the caller; the signature goes")
	assert.Equal(t, golden.Redacted, out.Get("X-Amz-Security-Token"))
	assert.Equal(t, golden.Redacted, out.Get("X-Debug-Secret-Access-Key"))
	assert.Equal(t, golden.Redacted, out.Get("X-Echo"))
	assert.Equal(t, sha, out.Get("X-Amz-Content-Sha256"), "a SHA-256 digest is not a secret key")
	assert.Equal(t, "AWSOrganizationsV20161128.AcceptHandshake", out.Get("X-Amz-Target"))
	assert.NotEqual(t, golden.Redacted, h.Get("Authorization"), "Redact must not modify its argument")
	assert.Empty(t, golden.Redact(nil))
}

func TestRecordSanitisesALiveResponse(t *testing.T) {
	const live = `{"Handshake":{"Id":"h-0123456789abcdef","State":"OPEN","RequestedTimestamp":1700000000.5}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "6b4b1d1e-0000-4000-8000-123456789abc")
		w.Header().Set("X-Amz-Security-Token", "leaked")
		_, _ = w.Write([]byte(live))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	m, err := golden.FromResponse(resp)
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "AcceptHandshake", "recorded", "open.response.http")
	require.NoError(t, golden.Record(path, m))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	back, err := golden.Parse(data)
	require.NoError(t, err)
	assert.Equal(t, 200, back.StatusCode)
	assert.Equal(t, "<REQUEST_ID_1>", back.Header.Get("X-Amzn-Requestid"))
	assert.Equal(t, "<DATE_1>", back.Header.Get("Date"))
	assert.Equal(t, golden.Redacted, back.Header.Get("X-Amz-Security-Token"))
	assert.Empty(t, back.Header.Get("Content-Length"))
	assert.Contains(t, string(back.Body), `"Id": "<HANDSHAKE_ID_1>"`)
	assert.Contains(t, string(back.Body), `"RequestedTimestamp": "<TIMESTAMP_1>"`)
	assert.Empty(t, golden.Compare([]byte(live), back.Body), "a recorded body compares equal to the live one")
}

// errorName returns the exception name of an error golden path.
func errorName(p string) (string, bool) {
	dir, file := filepath.Split(p)
	if filepath.Base(filepath.Clean(dir)) != "errors" {
		return "", false
	}
	return strings.TrimSuffix(file, ".http"), true
}
