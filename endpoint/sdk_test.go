package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// describeOrganization is an SDK call with no required input.
func describeOrganization(ctx context.Context, c *organizations.Client) error {
	_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	return err
}

func TestSDKTypedErrorAndExchange(t *testing.T) {
	var gotTarget, gotBody string
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotTarget, gotBody = r.Header.Get("X-Amz-Target"), string(b)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"__type":"HandshakeNotFoundException","Message":"no such handshake"}`))
	})
	var typed *types.HandshakeNotFoundException
	r := tg.SDK(context.Background(), alice, "DescribeHandshake", func(ctx context.Context, c *organizations.Client) error {
		_, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String("h-0123456789")})
		if errors.As(err, &typed) {
			return err
		}
		return err
	})
	require.NotNil(t, typed, "the SDK decoded the typed exception: %v", r.Err)
	assert.Equal(t, KindError, r.Kind)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "HandshakeNotFoundException", r.Code)
	assert.Equal(t, "no such handshake", r.Message)
	assert.Equal(t, "DescribeHandshake", r.Op)
	assert.Error(t, r.Err)
	assert.False(t, r.OK())

	assert.Equal(t, "AWSOrganizationsV20161128.DescribeHandshake", gotTarget)
	assert.JSONEq(t, `{"HandshakeId":"h-0123456789"}`, gotBody)

	ex := r.Exchange
	require.NotNil(t, ex)
	assert.Equal(t, http.MethodPost, ex.Method)
	assert.Equal(t, 400, ex.Status)
	assert.JSONEq(t, gotBody, string(ex.RequestBody), "the request body is captured and still sent")
	assert.Contains(t, string(ex.ResponseBody), "no such handshake")
	assert.Equal(t, "AWSOrganizationsV20161128.DescribeHandshake", ex.RequestHeader.Get("X-Amz-Target"))
	assert.Equal(t, "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEALICE0001/... REDACTED", ex.RequestHeader.Get("Authorization"))
	assert.Equal(t, Redacted, ex.RequestHeader.Get("X-Amz-Security-Token"))
	s := ex.String()
	assert.NotContains(t, s, alice.SecretAccessKey)
	assert.NotContains(t, s, alice.SessionToken)
	assert.NotContains(t, s, "Signature=")
}

func TestSDKSuccess(t *testing.T) {
	tg, _ := serve(t, reply(200, "application/x-amz-json-1.1",
		`{"Organization":{"Id":"o-abcdefghij","MasterAccountId":"111122223333","FeatureSet":"ALL"}}`))
	var out *organizations.DescribeOrganizationOutput
	r := tg.SDK(context.Background(), alice, "DescribeOrganization", func(ctx context.Context, c *organizations.Client) error {
		var err error
		out, err = c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	})
	require.NoError(t, r.Err)
	assert.True(t, r.OK())
	assert.Equal(t, KindSuccess, r.Kind)
	assert.Equal(t, 200, r.Status)
	require.NotNil(t, out, "the SDK still decodes the body the interceptor read")
	assert.Equal(t, "o-abcdefghij", aws.ToString(out.Organization.Id))
	assert.Equal(t, types.OrganizationFeatureSetAll, out.Organization.FeatureSet)
	require.NotNil(t, r.Exchange)
	assert.Contains(t, string(r.Exchange.ResponseBody), "o-abcdefghij")
	assert.Equal(t, "200 success", r.Summary())
}

func TestSDKHTMLIsNonJSON(t *testing.T) {
	tg, _ := serve(t, reply(500, "text/html", `<html><body>Internal Server Error</body></html>`))
	r := tg.SDK(context.Background(), alice, "AcceptHandshake", func(ctx context.Context, c *organizations.Client) error {
		_, err := c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String("h-0123456789")})
		return err
	})
	assert.Equal(t, KindNonJSON, r.Kind)
	assert.Equal(t, 500, r.Status)
	assert.Contains(t, string(r.Body), "Internal Server Error")
	assert.Error(t, r.Err, "the SDK's decoding failure is kept")
	ok, evidence := r.Unsupported()
	assert.True(t, ok)
	assert.Contains(t, evidence, "HTML 500")
}

func TestSDKUnmodeledErrorCode(t *testing.T) {
	tg, _ := serve(t, reply(400, "application/x-amz-json-1.1", `{"code":"UnknownOperationException"}`))
	r := tg.SDK(context.Background(), alice, "DescribeOrganization", describeOrganization)
	assert.Equal(t, KindError, r.Kind)
	assert.Equal(t, "UnknownOperationException", r.Code)
	var apiErr smithy.APIError
	require.ErrorAs(t, r.Err, &apiErr)
	ok, _ := r.Unsupported()
	assert.True(t, ok)
}

func TestSDKUndecodableSuccessIsTransport(t *testing.T) {
	tg, _ := serve(t, reply(200, "application/x-amz-json-1.1", `{"Organization":"not an object"}`))
	r := tg.SDK(context.Background(), alice, "DescribeOrganization", describeOrganization)
	assert.Equal(t, KindTransport, r.Kind)
	assert.Equal(t, 200, r.Status)
	assert.Error(t, r.Err)
	assert.Contains(t, r.Note, "SDK rejected")
}

func TestSDKClientSideValidationSendsNothing(t *testing.T) {
	tg, _ := serve(t, reply(200, "application/x-amz-json-1.1", `{}`))
	r := tg.SDK(context.Background(), alice, "AcceptHandshake", func(ctx context.Context, c *organizations.Client) error {
		_, err := c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{})
		return err
	})
	assert.Equal(t, KindTransport, r.Kind)
	assert.Error(t, r.Err)
	assert.Nil(t, r.Exchange)
	assert.Equal(t, 0, tg.Requests())
}

func TestSDKCapturesLastOfSeveralRequests(t *testing.T) {
	n := 0
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		w.WriteHeader(200)
		_ = json.NewEncoder(w).Encode(map[string]any{"Handshakes": []any{}, "NextToken": map[bool]any{true: "t", false: nil}[n == 1]})
	})
	r := tg.SDK(context.Background(), alice, "ListHandshakesForAccount", func(ctx context.Context, c *organizations.Client) error {
		pg := organizations.NewListHandshakesForAccountPaginator(c, &organizations.ListHandshakesForAccountInput{})
		for pg.HasMorePages() {
			if _, err := pg.NextPage(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, r.Err)
	assert.Equal(t, 2, n)
	assert.Contains(t, string(r.Exchange.RequestBody), `"NextToken":"t"`)
}

func TestSDKClientCachedAndConcurrent(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"Organization":{"Id":"o-` + r.Header.Get("X-Who") + `"}}`))
	})
	p := tg.Mint("member")
	assert.Same(t, tg.Client(p), tg.Client(p))
	assert.NotSame(t, tg.Client(p), tg.Client(tg.Mint("member")))

	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := tg.SDK(context.Background(), p, "DescribeOrganization", describeOrganization)
			assert.True(t, r.OK(), r.Summary())
			assert.NotNil(t, r.Exchange)
		}()
	}
	wg.Wait()
	assert.Equal(t, 16, tg.Requests())
}

func TestSDKPanickingFunction(t *testing.T) {
	tg, _ := serve(t, reply(200, "", `{}`))
	r := tg.SDK(context.Background(), alice, "X", func(context.Context, *organizations.Client) error { panic("boom") })
	assert.Equal(t, KindTransport, r.Kind)
	assert.ErrorContains(t, r.Err, "boom")
	r = tg.SDK(context.Background(), alice, "X", nil)
	assert.Equal(t, KindTransport, r.Kind)
}

func TestSDKTimeoutWhileReadingBody(t *testing.T) {
	tg, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"Organization":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	r := tg.SDK(context.Background(), alice, "DescribeOrganization", describeOrganization)
	assert.Equal(t, KindTimeout, r.Kind, r.Summary())
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, `{"Organization":`, string(r.Body))
	assert.Error(t, r.Err)
}
