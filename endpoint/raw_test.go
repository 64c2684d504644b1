package endpoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// received is what the test server saw.
type received struct {
	method, path string
	header       http.Header
	body         []byte
	host         string
}

// recorder answers {} and keeps the last request.
func recorder(got *received) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = received{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: b, host: r.Host}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{}`))
	}
}

var authPattern = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$`)

// verifySigV4 re-signs what the server received with secret and compares.
func verifySigV4(t *testing.T, got received, secret, token string) {
	t.Helper()
	m := authPattern.FindStringSubmatch(got.header.Get("Authorization"))
	require.NotNil(t, m, "Authorization %q", got.header.Get("Authorization"))
	signingTime, err := time.Parse("20060102T150405Z", got.header.Get("X-Amz-Date"))
	require.NoError(t, err)
	req, err := http.NewRequest(got.method, "http://"+got.host+got.path, bytes.NewReader(got.body))
	require.NoError(t, err)
	for _, name := range strings.Split(m[5], ";") {
		if name != "host" && name != "content-length" {
			req.Header[http.CanonicalHeaderKey(name)] = got.header.Values(name)
		}
	}
	sum := sha256.Sum256(got.body)
	creds := aws.Credentials{AccessKeyID: m[1], SecretAccessKey: secret, SessionToken: token}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), m[4], m[3], signingTime))
	assert.Equal(t, req.Header.Get("Authorization"), got.header.Get("Authorization"), "signature verifies")
}

func TestRawIsSigV4SignedAndVerbatim(t *testing.T) {
	var got received
	tg, _ := serve(t, recorder(&got))
	p := tg.Mint("member")
	body := []byte("{\"HandshakeId\": \"h-0123456789\",  \"x\":\n [1,2,]") // invalid JSON on purpose

	r := tg.Raw(context.Background(), p, "AcceptHandshake", body)
	require.True(t, r.OK(), r.Summary())

	assert.Equal(t, http.MethodPost, got.method)
	assert.Equal(t, "/", got.path)
	assert.Equal(t, body, got.body, "body sent verbatim")
	assert.Equal(t, "AWSOrganizationsV20161128.AcceptHandshake", got.header.Get("X-Amz-Target"))
	assert.Equal(t, "application/x-amz-json-1.1", got.header.Get("Content-Type"))
	date := time.Now().UTC().Format("20060102")
	assert.True(t, strings.HasPrefix(got.header.Get("Authorization"),
		"AWS4-HMAC-SHA256 Credential="+p.AccountID+"/"+date+"/us-east-1/organizations/aws4_request, SignedHeaders="),
		got.header.Get("Authorization"))
	assert.Contains(t, got.header.Get("Authorization"), "x-amz-target")
	assert.Empty(t, got.header.Get("X-Amz-Security-Token"))
	verifySigV4(t, got, p.SecretAccessKey, "")

	assert.Equal(t, "AcceptHandshake", r.Op)
	require.NotNil(t, r.Exchange)
	assert.Equal(t, body, r.Exchange.RequestBody)
	assert.Equal(t, "AWS4-HMAC-SHA256 Credential="+p.AccountID+"/... REDACTED", r.Exchange.RequestHeader.Get("Authorization"))
}

func TestRawWithSessionTokenAndRegion(t *testing.T) {
	var got received
	tg, _ := serve(t, recorder(&got), func(c *Config) { c.Region = "eu-west-1" })
	tg.Raw(context.Background(), alice, "DescribeOrganization", []byte(`{}`))
	assert.Contains(t, got.header.Get("Authorization"), "/eu-west-1/organizations/aws4_request")
	assert.Equal(t, alice.SessionToken, got.header.Get("X-Amz-Security-Token"))
	verifySigV4(t, got, alice.SecretAccessKey, alice.SessionToken)
}

func TestRawRequestControls(t *testing.T) {
	var got received
	tg, _ := serve(t, recorder(&got))
	p := tg.Mint("member")

	t.Run("unsigned", func(t *testing.T) {
		r := tg.RawRequest(context.Background(), nil, "AWSOrganizationsV20161128.ListHandshakesForAccount", nil, []byte(`{}`))
		assert.Empty(t, got.header.Get("Authorization"))
		assert.Empty(t, got.header.Get("X-Amz-Date"))
		assert.Equal(t, "ListHandshakesForAccount", r.Op)
		assert.Empty(t, r.Exchange.RequestHeader.Get("Authorization"))
	})
	t.Run("no target", func(t *testing.T) {
		r := tg.RawRequest(context.Background(), &p, "", nil, []byte(`{}`))
		_, present := got.header["X-Amz-Target"]
		assert.False(t, present)
		assert.Equal(t, "", r.Op)
	})
	t.Run("overrides are signed", func(t *testing.T) {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("x-amz-target", "Bogus.Op")
		h.Set("X-Extra", "1")
		r := tg.RawRequest(context.Background(), &p, "AWSOrganizationsV20161128.AcceptHandshake", h, []byte(`{}`))
		assert.Equal(t, "application/json", got.header.Get("Content-Type"))
		assert.Equal(t, []string{"Bogus.Op"}, got.header.Values("X-Amz-Target"))
		assert.Equal(t, "1", got.header.Get("X-Extra"))
		verifySigV4(t, got, p.SecretAccessKey, "")
		assert.Equal(t, "AcceptHandshake", r.Op, "Op names the target argument")
	})
	t.Run("bad signature", func(t *testing.T) {
		h := http.Header{}
		h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20200101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00")
		tg.RawRequest(context.Background(), &p, "AWSOrganizationsV20161128.AcceptHandshake", h, []byte(`{}`))
		assert.Equal(t, h.Get("Authorization"), got.header.Get("Authorization"))
	})
	t.Run("foreign target", func(t *testing.T) {
		r := tg.RawRequest(context.Background(), &p, "AmazonSSM.ListDocuments", nil, nil)
		assert.Equal(t, "AmazonSSM.ListDocuments", r.Op)
		assert.Empty(t, got.body)
	})
}

func TestRawBinaryBody(t *testing.T) {
	var got received
	tg, _ := serve(t, recorder(&got))
	body := []byte{0x00, 0xff, 0xfe, '{', 0x80}
	r := tg.Raw(context.Background(), tg.Mint("member"), "AcceptHandshake", body)
	assert.Equal(t, body, got.body)
	assert.Contains(t, r.Exchange.String(), `"\x00\xff\xfe{\x80"`, "non-UTF-8 bodies are quoted in transcripts")
}

func TestRawHostOverrideAndCustomClient(t *testing.T) {
	var got received
	srv := httptest.NewServer(recorder(&got))
	t.Cleanup(srv.Close)
	custom := &http.Client{Transport: &http.Transport{}}
	tg, err := New(Config{Endpoint: srv.URL, HTTPClient: custom, Timeout: time.Second})
	require.NoError(t, err)
	p := tg.Mint("member")

	r := tg.RawRequest(context.Background(), &p, "AWSOrganizationsV20161128.AcceptHandshake",
		http.Header{"Host": {"organizations.us-east-1.amazonaws.com"}}, []byte(`{}`))
	require.True(t, r.OK(), r.Summary())
	assert.Equal(t, "organizations.us-east-1.amazonaws.com", got.host)
	verifySigV4(t, got, p.SecretAccessKey, "")
	assert.Equal(t, "organizations.us-east-1.amazonaws.com", r.Exchange.RequestHeader.Get("Host"))
	assert.Equal(t, 1, tg.Requests())
	_, wrapped := custom.Transport.(*countingTransport)
	assert.False(t, wrapped, "the caller's client is not modified")
}
