package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startMoto starts moto_server on a free loopback port for the test, or
// skips (fails under CI=true, where the machine image provides it).
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server is not on PATH; CI needs it for the moto worked example (pip install 'moto[server]')")
		}
		t.Skip("moto_server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); cmd.Wait(); logFile.Close() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if resp, err := client.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url
		}
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("moto_server did not answer on %s within 30s; its log:\n%s", url, log)
	return ""
}

// TestRunAgainstMoto is README's worked example: moto implements
// CreateOrganization but answers the handshake operations with an HTML 500,
// so they are reported unsupported and the run exits 1; and it serves every
// caller as one account, which the capabilities show (the run goes one
// check at a time) and protocol/caller-identity fails.
func TestRunAgainstMoto(t *testing.T) {
	url := startMoto(t)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runRunner(t, "--endpoint", url, "--timeout", "5s", "--run", `^(accept/success/response|input/AcceptHandshake/upper-case|transition/INVITE/OPEN/AcceptHandshake/recipient|constraint/not-in-organization/DescribeOrganization|protocol/caller-identity)$`, "--json", jsonPath)
	require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	rep := readReport(t, jsonPath)
	status := map[string]string{}
	for _, c := range rep.Checks {
		status[c.ID] = c.Status
	}
	assert.Equal(t, map[string]string{
		"accept/success/response":                             "unsupported",
		"input/AcceptHandshake/upper-case":                    "unsupported",
		"transition/INVITE/OPEN/AcceptHandshake/recipient":    "unsupported",
		"constraint/not-in-organization/DescribeOrganization": "pass",
		"protocol/caller-identity":                            "fail",
	}, status, out)
	assert.Regexp(t, `shared-account +yes +checks run one at a time: every caller is served as 123456789012 \(CreateOrganization`, out)
	assert.Regexp(t, `AcceptHandshake +not-implemented +HTML 500`, out, "the capabilities table shows the evidence")
	assert.Regexp(t, `CreateOrganization +implemented`, out)
}
