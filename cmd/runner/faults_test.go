package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/reftarget"
)

// TestFaultsLists: runner faults prints every fault, then every variant,
// one a line: the name, the kind, the contract point and its source.
func TestFaultsLists(t *testing.T) {
	code, out, errOut := runRunner(t, "faults")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	all := append(reftarget.Faults(), reftarget.Variants()...)
	require.Len(t, lines, len(all))
	line := regexp.MustCompile(`^(\S+)\s+(\S+)\s+(.+) \(source: (.+)\)$`)
	for i, f := range all {
		m := line.FindStringSubmatch(lines[i])
		require.NotNil(t, m, lines[i])
		assert.Equal(t, f.Name, m[1])
		assert.Equal(t, f.Kind, m[2])
	}
	assert.GreaterOrEqual(t, len(reftarget.Faults()), 40)

	code, _, errOut = runRunner(t, "faults", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)
}

// TestRunWithFault: runner --fault plants a fault in the embedded target,
// and the checks tied to it fail (exit 1); a variant passes; an unknown
// name, or --fault with --endpoint, is a usage error.
func TestRunWithFault(t *testing.T) {
	code, out, errOut := runRunner(t, "--fault", "decline-by-sender", "--quiet", "--run", `^transition/INVITE/OPEN/DeclineHandshake/`)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "with fault decline-by-sender")
	assert.Contains(t, out, "transition/INVITE/OPEN/DeclineHandshake/sender")
	assert.Contains(t, out, "--fault decline-by-sender --run", "the rerun hint keeps the fault")

	code, _, errOut = runRunner(t, "--fault", "message-lower-case", "--quiet", "--run", `^input/AcceptHandshake/`)
	assert.Equal(t, 0, code, errOut)

	for _, args := range [][]string{
		{"--fault", "no-such-fault"},
		{"--fault", "decline-by-sender", "--endpoint", "http://127.0.0.1:1"},
	} {
		code, _, errOut = runRunner(t, args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
	}
}

// TestDiff: the reference target agrees with itself (0), differs from one
// with a planted fault (1, naming the step and both answers, in --json
// too), and bad input is a one-line error (2).
func TestDiff(t *testing.T) {
	code, out, errOut := runRunner(t, "diff", "--sequences", "4", "reference", "reference")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "the targets agree")

	srv := httptest.NewServer(reftarget.New(reftarget.Options{Fault: "decline-by-sender"}))
	defer srv.Close()
	jsonPath := t.TempDir() + "/diff.json"
	code, out, errOut = runRunner(t, "diff", "--sequences", "6", "--json", jsonPath, "reference", srv.URL)
	require.Equal(t, 1, code, errOut)
	assert.Regexp(t, `(?m)^sequence \d+, step \d+: DeclineHandshake as management \{"HandshakeId":"<handshake#\d>"\}\n  A: 400 AccessDeniedException\n  B: 200 \{"Handshake":`, out)
	assert.Regexp(t, `\d+ of \d+ answers differ, in \d+ of 6 sequences`, out)
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"operation": "DeclineHandshake"`)
	assert.Contains(t, string(data), `"agree": false`)

	for _, args := range [][]string{
		{"diff", "reference"},
		{"diff", "reference", "not-a-url"},
		{"diff", "reference", "http://127.0.0.1:1"},
		{"diff", "--steps", "0", "reference", "reference"},
		{"diff", "--json", t.TempDir(), "reference", "reference"},
	} {
		code, _, errOut = runRunner(t, args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
	}
}

// TestServeWithFault: runner serve --fault plants the fault (an unknown
// X-Amz-Target gets the HTML 404 of unknown-operation-404) and says so on
// its second line; an unknown name is a one-line usage error.
func TestServeWithFault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := serve(context.Background(), []string{"--fault", "nope"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
	assert.Contains(t, stderr.String(), `no such fault or variant`)

	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &serveLockedBuffer{}, &serveLockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--fault", "unknown-operation-404"}, out, errOut)
	}()
	defer func() {
		cancel()
		<-done
	}()
	url := ""
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := serveListenRe.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	require.NotEmpty(t, url, "no listen line: %q %q", out.String(), errOut.String())
	assert.Contains(t, out.String(), "planted: unknown-operation-404")
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.NoSuchOperation")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111111111111/20240101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
}
