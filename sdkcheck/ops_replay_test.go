package sdkcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

// opsCaller calls one operation with the input decoded from a sample
// request body and returns the typed output.
type opsCaller func(ctx context.Context, c *organizations.Client, body []byte) (any, error)

// opsCall adapts a client method to an opsCaller. The request body is
// decoded into the SDK's input type with unknown members refused, so a
// sample member the SDK does not model fails the test.
func opsCall[I, O any](method func(*organizations.Client, context.Context, *I, ...func(*organizations.Options)) (*O, error)) opsCaller {
	return func(ctx context.Context, c *organizations.Client, body []byte) (any, error) {
		in := new(I)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(in); err != nil {
			return nil, err
		}
		out, err := method(c, ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// opsCalls has one caller per operation in specs/operations.json.
var opsCalls = map[string]opsCaller{
	"AcceptHandshake":               opsCall((*organizations.Client).AcceptHandshake),
	"DeclineHandshake":              opsCall((*organizations.Client).DeclineHandshake),
	"CancelHandshake":               opsCall((*organizations.Client).CancelHandshake),
	"DescribeHandshake":             opsCall((*organizations.Client).DescribeHandshake),
	"InviteAccountToOrganization":   opsCall((*organizations.Client).InviteAccountToOrganization),
	"ListHandshakesForAccount":      opsCall((*organizations.Client).ListHandshakesForAccount),
	"ListHandshakesForOrganization": opsCall((*organizations.Client).ListHandshakesForOrganization),
	"EnableAllFeatures":             opsCall((*organizations.Client).EnableAllFeatures),
	"CreateOrganization":            opsCall((*organizations.Client).CreateOrganization),
	"DescribeOrganization":          opsCall((*organizations.Client).DescribeOrganization),
	"ListAccounts":                  opsCall((*organizations.Client).ListAccounts),
	"RemoveAccountFromOrganization": opsCall((*organizations.Client).RemoveAccountFromOrganization),
	"LeaveOrganization":             opsCall((*organizations.Client).LeaveOrganization),
	"DeleteOrganization":            opsCall((*organizations.Client).DeleteOrganization),
}

// opsReplay answers every request with one golden message and keeps the
// last request.
type opsReplay struct {
	srv *httptest.Server

	mu      sync.Mutex
	resp    *golden.Message
	lastReq *http.Request
	lastBod []byte
}

func newOpsReplay(t *testing.T) *opsReplay {
	r := &opsReplay{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		resp := r.resp
		r.lastReq, r.lastBod = req, body
		r.mu.Unlock()
		resp.Serve(w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// call serves resp and calls op with the sample request body through a real
// client aimed at the replay server (no configuration of the machine read);
// it returns the output and the request the client sent.
func (r *opsReplay) call(t *testing.T, op string, reqBody []byte, resp *golden.Message) (any, *http.Request, []byte, error) {
	t.Helper()
	caller, ok := opsCalls[op]
	require.True(t, ok, "no caller for %s", op)
	r.mu.Lock()
	r.resp, r.lastReq, r.lastBod = resp, nil, nil
	r.mu.Unlock()
	c := organizations.New(organizations.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(r.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:      aws.NopRetryer{},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := caller(ctx, c, reqBody)
	r.mu.Lock()
	defer r.mu.Unlock()
	return out, r.lastReq, r.lastBod, err
}

// opsOutput reads a typed SDK output as the plain golden.Output of the
// expectations (through its JSON form: pointers to values, enums to
// strings, timestamps to RFC 3339).
func opsOutput(t *testing.T, out any) golden.Output {
	t.Helper()
	data, err := json.Marshal(out)
	require.NoError(t, err)
	var plain golden.Output
	require.NoError(t, json.Unmarshal(data, &plain))
	return plain
}

// Every sample of every operation goes through aws-sdk-go-v2: the client
// sends the sample request (target, content type, body) and decodes the
// sample response into the typed output of expectations.json.
func TestEverySampleReplaysThroughTheSDK(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	require.NotEmpty(t, ops)
	r := newOpsReplay(t)
	n := 0
	for _, op := range ops {
		exp, err := golden.LoadExpectations(op)
		require.NoError(t, err)
		want := map[string]*golden.Output{}
		for _, e := range exp.Files {
			want[e.File] = e.Output
		}
		stems, err := golden.SampleStems(op)
		require.NoError(t, err)
		for _, stem := range stems {
			n++
			t.Run(op+"/"+stem, func(t *testing.T) {
				sample, err := golden.Read(op + "/" + stem + ".request.http")
				require.NoError(t, err)
				resp, err := golden.Read(op + "/" + stem + ".response.http")
				require.NoError(t, err)
				expected := want[stem+".response.http"]
				require.NotNil(t, expected, "expectations.json has no output for %s", stem)

				out, req, body, err := r.call(t, op, sample.Body, resp)
				require.NoError(t, err)
				assert.Empty(t, cmp.Diff(*expected, opsOutput(t, out), cmpopts.EquateEmpty()), "typed output (-want +got)")

				require.NotNil(t, req, "the client sent no request")
				assert.Equal(t, sample.Method, req.Method)
				assert.Equal(t, sample.Target, req.URL.Path)
				assert.Equal(t, sample.Header.Get("X-Amz-Target"), req.Header.Get("X-Amz-Target"))
				assert.Equal(t, sample.Header.Get("Content-Type"), req.Header.Get("Content-Type"))
				assert.NoError(t, schemas.ValidateRequest(op, body))
				assert.Empty(t, golden.Compare(sample.Body, body), "the request body the SDK sends (-sample +sent)")
			})
		}
	}
	assert.GreaterOrEqual(t, n, len(ops))
}

// Every operation in scope has a caller, and the callers are honest: a
// sample response of another shape decodes to another output, and a
// broken one fails.
func TestOpsCallersCoverTheSpecs(t *testing.T) {
	for _, op := range specs.Must().Operations {
		assert.Contains(t, opsCalls, op.Name)
	}
	assert.Len(t, opsCalls, len(specs.Must().Operations))
}

func TestOpsReplayDetectsADecodingDifference(t *testing.T) {
	r := newOpsReplay(t)
	sample, err := golden.SampleRequest("DescribeHandshake")
	require.NoError(t, err)
	resp, err := golden.Sample("DescribeHandshake")
	require.NoError(t, err)
	exp, err := golden.LoadExpectations("DescribeHandshake")
	require.NoError(t, err)

	// A state the sample does not have decodes to another output.
	declined := *resp
	declined.Body = bytes.Replace(resp.Body, []byte(`"State": "OPEN"`), []byte(`"State": "DECLINED"`), 1)
	require.NotEqual(t, string(resp.Body), string(declined.Body))
	out, _, _, err := r.call(t, "DescribeHandshake", sample.Body, &declined)
	require.NoError(t, err)
	assert.NotEmpty(t, cmp.Diff(*exp.Files[0].Output, opsOutput(t, out), cmpopts.EquateEmpty()))

	// A string timestamp is not decoded: the SDK refuses it.
	broken := *resp
	broken.Body = bytes.Replace(resp.Body, []byte(`"RequestedTimestamp": 1480526698.046`), []byte(`"RequestedTimestamp": "2016-11-30T17:24:58.046Z"`), 1)
	require.NotEqual(t, string(resp.Body), string(broken.Body))
	_, _, _, err = r.call(t, "DescribeHandshake", sample.Body, &broken)
	assert.Error(t, err)

	// A request member the SDK does not model is refused before sending.
	_, _, _, err = r.call(t, "DescribeHandshake", []byte(`{"HandshakeId":"h-examplehandshakeid111","Extra":1}`), resp)
	assert.Error(t, err)
}
