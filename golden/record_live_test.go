package golden_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/specs"
)

// Flags of the live recorder; see README.md.
var (
	recordStem = flag.String("golden.record", "", "record a live response to golden/<stem>.http (e.g. AcceptHandshake/errors/HandshakeNotFoundException)")
	recordOp   = flag.String("golden.op", "AcceptHandshake", "operation to call when recording")
	recordBody = flag.String("golden.body", `{"HandshakeId":"h-0000000000"}`, "request body to send when recording")
)

// TestRecordLive sends one signed request to a live endpoint and records the
// sanitised response as a golden. It runs only with -golden.record; the
// endpoint is $ORGCONFORM_RECORD_ENDPOINT (default the us-east-1 AWS
// endpoint) and the credentials are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN.
func TestRecordLive(t *testing.T) {
	if *recordStem == "" {
		t.Skip("live recording runs only with -golden.record=<stem>")
	}
	endpoint := os.Getenv("ORGCONFORM_RECORD_ENDPOINT")
	if endpoint == "" {
		endpoint = "https://organizations.us-east-1.amazonaws.com"
	}
	creds := aws.Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
	}
	require.NotEmpty(t, creds.AccessKeyID, "AWS_ACCESS_KEY_ID is not set")
	svc := specs.Must().Service
	op, ok := specs.Must().Operation(*recordOp)
	require.True(t, ok, "unknown operation %s", *recordOp)

	body := []byte(*recordBody)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, op.HTTP.Method, endpoint+op.HTTP.Path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", op.Target)
	req.Header.Set("Content-Type", svc.ContentType)
	sum := sha256.Sum256(body)
	require.NoError(t, v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), svc.SigningName, svc.SigningRegion, time.Now()))

	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	m, err := golden.FromResponse(resp)
	require.NoError(t, err)
	path := filepath.Clean(*recordStem) + ".http"
	require.NoError(t, golden.Record(path, m))
	t.Logf("recorded HTTP %d to golden/%s; add its expectation to the operation's expectations.json", m.StatusCode, path)
}
