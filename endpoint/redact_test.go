package endpoint

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExchangeStringRedactsEchoedSecrets(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		msg, _ := json.Marshal("secret " + alice.SecretAccessKey + " token " + alice.SessionToken + " body " + string(b))
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Echo-Auth", r.Header.Get("Authorization"))
		w.Header().Set("X-Echo-Secret", alice.SecretAccessKey)
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"__type":"AccessDeniedException","Message":` + string(msg) +
			`,"Escaped":"` + strings.ReplaceAll(alice.SecretAccessKey, "/", `\/`) + `"}`))
	}
	tg, _ := serve(t, echo)
	body := []byte(`{"Notes":"` + alice.SecretAccessKey + `"}`)

	for name, r := range map[string]*Response{
		"raw": tg.Raw(context.Background(), alice, "InviteAccountToOrganization", body),
		"sdk": tg.SDK(context.Background(), alice, "DescribeOrganization", func(ctx context.Context, c *organizations.Client) error {
			_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}),
	} {
		t.Run(name, func(t *testing.T) {
			require.NotNil(t, r.Exchange)
			assert.Equal(t, "AccessDeniedException", r.Code)
			s := r.Exchange.String()
			assert.NotContains(t, s, alice.SecretAccessKey)
			assert.NotContains(t, s, strings.ReplaceAll(alice.SecretAccessKey, "/", `\/`))
			assert.NotContains(t, s, alice.SessionToken)
			assert.NotRegexp(t, `Signature=[0-9a-f]{64}`, s, "not even an echoed signature")
			assert.Contains(t, s, "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEALICE0001/... REDACTED\n")
			assert.Contains(t, s, "X-Amz-Security-Token: REDACTED\n")
			assert.Contains(t, s, "HTTP/1.1 400 Bad Request\n")
			assert.Contains(t, s, "X-Echo-Secret: REDACTED\n")
			assert.NotContains(t, string(r.Exchange.ResponseBody), alice.SecretAccessKey)
			for _, vs := range r.Exchange.ResponseHeader {
				for _, v := range vs {
					assert.NotContains(t, v, alice.SecretAccessKey)
				}
			}
		})
	}
}

func TestLocalStackSecretIsNotRedactedInBodies(t *testing.T) {
	tg, _ := serve(t, reply(200, "application/x-amz-json-1.1", `{"test":"testing"}`))
	r := tg.Raw(context.Background(), tg.Mint("member"), "DescribeOrganization", []byte(`{}`))
	assert.Contains(t, r.Exchange.String(), `{"test":"testing"}`)
}

func TestExchangeStringLayout(t *testing.T) {
	e := &Exchange{
		Method:         "POST",
		URL:            "http://127.0.0.1:4566/",
		RequestHeader:  http.Header{"X-B": {"2"}, "X-A": {"1"}},
		RequestBody:    []byte(`{}`),
		Status:         200,
		ResponseHeader: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		ResponseBody:   []byte(strings.Repeat("é", 3000)),
	}
	s := e.String()
	assert.True(t, strings.HasPrefix(s, "POST http://127.0.0.1:4566/ HTTP/1.1\nX-A: 1\nX-B: 2\n\n{}\n\nHTTP/1.1 200 OK\nContent-Type: application/x-amz-json-1.1\n\n"), s)
	assert.Contains(t, s, "… (1904 more bytes)")
	assert.NotContains(t, s, "\\x", "a cut multi-byte rune is dropped, not quoted")

	var nilEx *Exchange
	assert.Equal(t, "(no exchange)", nilEx.String())
}
