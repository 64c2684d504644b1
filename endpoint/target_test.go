package endpoint

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidatesEndpoint(t *testing.T) {
	tests := []struct {
		endpoint string
		wantErr  string // "" means valid
	}{
		{"http://127.0.0.1:4566", ""},
		{"http://localhost:4566/", ""},
		{"https://organizations.us-east-1.amazonaws.com", ""},
		{"", `invalid endpoint "": endpoint is required`},
		{"ftp://x", `invalid endpoint "ftp://x": scheme must be http or https`},
		{"127.0.0.1:4566", `invalid endpoint "127.0.0.1:4566"`},
		{"localhost", `invalid endpoint "localhost": scheme must be http or https`},
		{"http://", `invalid endpoint "http://": host is missing`},
		{"http:///path", `invalid endpoint "http:///path": host is missing`},
		{"http://h:4566/?a=b", `invalid endpoint "http://h:4566/?a=b": query is not allowed`},
		{"http://h:4566/?", `query is not allowed`},
		{"http://h:4566/#frag", `invalid endpoint "http://h:4566/#frag": fragment is not allowed`},
		{"http://user:pw@h:4566", `user info is not allowed`},
		{"http://h:99999", `bad port`},
		{"http://h\n:1", `invalid endpoint`},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			tg, err := New(Config{Endpoint: tt.endpoint})
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, strings.TrimRight(tt.endpoint, "/"), tg.Endpoint())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "\n", "error must be one line")
			assert.Nil(t, tg)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	tg, err := New(Config{Endpoint: "http://127.0.0.1:4566"})
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", tg.Region())
	assert.Equal(t, DefaultTimeout, tg.Timeout())
	assert.NotZero(t, tg.Seed(), "a zero seed is replaced by a random one")
	assert.Equal(t, 0, tg.Requests())

	tg2, err := New(Config{Endpoint: "http://127.0.0.1:4566"})
	require.NoError(t, err)
	assert.NotEqual(t, tg.Seed(), tg2.Seed())
}

func TestIsAWS(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"https://organizations.us-east-1.amazonaws.com":         true,
		"https://organizations.cn-northwest-1.amazonaws.com.cn": true,
		"https://organizations.us-east-1.api.aws":               true,
		"https://ORGANIZATIONS.US-EAST-1.AMAZONAWS.COM":         true,
		"http://127.0.0.1:4566":                                 false,
		"http://localhost.localstack.cloud:4566":                false,
		"https://amazonaws.com.evil.example":                    false,
	} {
		tg, err := New(Config{Endpoint: endpoint})
		require.NoError(t, err)
		assert.Equal(t, want, tg.IsAWS(), endpoint)
	}
}

func TestMintFormatUniqueAndSeeded(t *testing.T) {
	a, err := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 7})
	require.NoError(t, err)
	b, err := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 7})
	require.NoError(t, err)
	c, err := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 8})
	require.NoError(t, err)

	seen := map[string]bool{}
	var seqA, seqB, seqC []string
	for i := 0; i < 2000; i++ {
		p := a.Mint("member")
		require.Regexp(t, `^[1-9][0-9]{11}$`, p.AccountID)
		require.False(t, seen[p.AccountID], "account id %s minted twice", p.AccountID)
		seen[p.AccountID] = true
		assert.Equal(t, p.AccountID, p.AccessKeyID)
		assert.Equal(t, "test", p.SecretAccessKey)
		assert.Equal(t, "member", p.Role)
		assert.Empty(t, p.SessionToken)
		seqA = append(seqA, p.AccountID)
		seqB = append(seqB, b.Mint("member").AccountID)
		seqC = append(seqC, c.Mint("member").AccountID)
	}
	assert.Equal(t, seqA, seqB, "same seed, same ids")
	assert.NotEqual(t, seqA[:10], seqC[:10], "different seed, different ids")
}

func TestSetPrincipalsReplaceMinting(t *testing.T) {
	tg, err := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 1})
	require.NoError(t, err)
	fixed := Principal{Role: "management", AccountID: "123456789012", AccessKeyID: "AKIAFIXED", SecretAccessKey: "s3cr3t-value", Profile: "org-mgmt"}
	tg.SetPrincipals([]Principal{fixed})

	got := tg.Mint("management")
	assert.Equal(t, fixed, got)
	assert.Equal(t, got, tg.Mint("management"), "fixed principals are stable")
	assert.NotEqual(t, "123456789012", tg.Mint("member").AccountID)
	assert.Equal(t, "x "+Redacted+" y", tg.Redact("x s3cr3t-value y"), "fixed principals' secrets are redacted")
}

func TestMintForIsAFunctionOfSeedAndKey(t *testing.T) {
	a, _ := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 5})
	b, _ := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 5})
	c, _ := New(Config{Endpoint: "http://127.0.0.1:1", Seed: 6})
	x1, y1 := a.MintFor("check/x/recipient/0", "recipient"), a.MintFor("check/y/recipient/0", "recipient")
	y2, x2 := b.MintFor("check/y/recipient/0", "recipient"), b.MintFor("check/x/recipient/0", "recipient")
	assert.Equal(t, x1, x2, "the same key gets the same account whatever the order")
	assert.Equal(t, y1, y2)
	assert.NotEqual(t, x1.AccountID, y1.AccountID)
	assert.NotEqual(t, x1.AccountID, c.MintFor("check/x/recipient/0", "recipient").AccountID, "another seed, another account")
	assert.True(t, ValidAccountID(x1.AccountID))
	assert.NotEqual(t, x1.AccountID, a.MintFor("check/x/recipient/0", "recipient").AccountID, "an id is never handed out twice")
}

func TestPing(t *testing.T) {
	tg, _ := serve(t, reply(http.StatusNotFound, "text/plain", "nothing here"))
	require.NoError(t, tg.Ping(context.Background()), "any HTTP answer counts as reachable")
	assert.Equal(t, 1, tg.Requests())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	dead, err := New(Config{Endpoint: "http://" + addr, Timeout: time.Second})
	require.NoError(t, err)
	err = dead.Ping(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable")
	assert.NotContains(t, err.Error(), "\n")
}

func TestRequestsCountsBothPaths(t *testing.T) {
	tg, _ := serve(t, reply(200, "application/x-amz-json-1.1", `{}`))
	p := tg.Mint("member")
	tg.Raw(context.Background(), p, "DescribeOrganization", []byte(`{}`))
	tg.SDK(context.Background(), p, "DescribeOrganization", describeOrganization)
	assert.Equal(t, 2, tg.Requests())
}

func TestPrincipalStringHidesSecrets(t *testing.T) {
	s := fmt.Sprintf("%v %+v", alice, alice)
	assert.NotContains(t, s, alice.SecretAccessKey)
	assert.NotContains(t, s, alice.SessionToken)
	assert.Contains(t, s, "management 111122223333")
	assert.Equal(t, "principal", Principal{}.String())
}
