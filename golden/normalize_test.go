package golden_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
)

func sampleBody(t *testing.T) []byte {
	t.Helper()
	m, err := golden.Read("AcceptHandshake/sample.response.http")
	require.NoError(t, err)
	return m.Body
}

// replacer swaps the sample's volatile values for others of the same shape.
var otherIDs = strings.NewReplacer(
	"h-examplehandshakeid111", "h-0000aaaa1111bbbb",
	"o-exampleorgid", "o-zzzzzzzzzz99",
	"111111111111", "222233334444",
	"juan@example.com", "maria@example.org",
	"diego@example.com", "ana@example.net",
	"1481656459.257", "1700000000",
	"1482952459.257", "1701296000.125",
)

func TestNormalizePlaceholders(t *testing.T) {
	n, err := golden.Normalize(sampleBody(t))
	require.NoError(t, err)
	var v struct {
		Handshake struct {
			Id, Arn, RequestedTimestamp, ExpirationTimestamp string
			Parties                                          []struct{ Id, Type string }
		}
	}
	require.NoError(t, json.Unmarshal(n, &v))
	h := v.Handshake
	assert.Equal(t, "<HANDSHAKE_ID_1>", h.Id)
	assert.Equal(t, "arn:aws:organizations::<ACCOUNT_ID_1>:handshake/<ORG_ID_1>/invite/<HANDSHAKE_ID_1>", h.Arn)
	// Keys are walked in sorted order: ExpirationTimestamp comes first.
	assert.Equal(t, "<TIMESTAMP_1>", h.ExpirationTimestamp)
	assert.Equal(t, "<TIMESTAMP_2>", h.RequestedTimestamp)
	assert.Equal(t, "<ORG_ID_1>", h.Parties[0].Id)
	assert.Regexp(t, `^<EMAIL_\d>$`, h.Parties[1].Id)
	assert.NotContains(t, string(n), `\u003c`, "placeholders are not HTML-escaped")
}

func TestNormalizeEqualForDifferentIDsAndTimestamps(t *testing.T) {
	a := sampleBody(t)
	b := []byte(otherIDs.Replace(string(a)))
	require.NotEqual(t, string(a), string(b))
	assert.Empty(t, golden.Compare(a, b))
	na, err := golden.Normalize(a)
	require.NoError(t, err)
	nb, err := golden.Normalize(b)
	require.NoError(t, err)
	assert.Equal(t, string(na), string(nb))
}

func TestNormalizeIgnoresKeyOrderAndWhitespace(t *testing.T) {
	a := []byte(`{"Handshake":{"State":"OPEN","Id":"h-12345678"}}`)
	b := []byte("{ \"Handshake\" : {\n \"Id\": \"h-abcdefgh\",\n \"State\": \"OPEN\" } }")
	assert.Empty(t, golden.Compare(a, b))
}

func TestCompareReportsADifferentState(t *testing.T) {
	a := sampleBody(t)
	b := []byte(strings.Replace(string(a), `"State": "ACCEPTED"`, `"State": "OPEN"`, 1))
	require.NotEqual(t, string(a), string(b))
	diff := golden.Compare(a, b)
	assert.Contains(t, diff, "ACCEPTED")
	assert.Contains(t, diff, "OPEN")
}

// Two handshakes whose Id and Arn disagree do not normalise like two that agree.
func TestNormalizeKeepsIdentityBetweenFields(t *testing.T) {
	same := []byte(`{"Id":"h-aaaaaaaa","Arn":"arn:aws:organizations::111111111111:handshake/o-aaaaaaaaaa/invite/h-aaaaaaaa"}`)
	diff := []byte(`{"Id":"h-aaaaaaaa","Arn":"arn:aws:organizations::111111111111:handshake/o-aaaaaaaaaa/invite/h-bbbbbbbb"}`)
	assert.NotEmpty(t, golden.Compare(same, diff))
}

func TestNormalizeKeepsWrongTypes(t *testing.T) {
	a := []byte(`{"RequestedTimestamp": 1481656459.257}`)
	b := []byte(`{"RequestedTimestamp": "1481656459.257"}`)
	assert.NotEmpty(t, golden.Compare(a, b), "a string timestamp must not normalise like a number")
}

func TestNormalizeRequestIDsAndMessages(t *testing.T) {
	a := []byte(`{"__type":"HandshakeNotFoundException","Message":"Handshake h-12345678 of 123456789012 not found","RequestId":"r1"}`)
	b := []byte(`{"__type":"HandshakeNotFoundException","Message":"Handshake h-87654321 of 210987654321 not found","RequestId":"r2"}`)
	assert.Empty(t, golden.Compare(a, b))
}

func TestNormalizeRejectsNonJSON(t *testing.T) {
	for _, in := range []string{"<html>", `{"a":1} trailing`, `{"a":`} {
		_, err := golden.Normalize([]byte(in))
		assert.Error(t, err, in)
		assert.NotEmpty(t, golden.Compare([]byte(`{}`), []byte(in)))
	}
	n, err := golden.Normalize([]byte("  \n"))
	require.NoError(t, err)
	assert.Empty(t, n)
	assert.Empty(t, golden.Compare(nil, []byte(" ")))
}
