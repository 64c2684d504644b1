package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/schemas"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// runnerBinary builds the runner once per test process.
func runnerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			binErr = err
			return
		}
		dir, err := os.MkdirTemp("", "orgconform-runner-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "runner")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, goTool, "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build ./cmd/runner: %v\n%s", binErr, binPath)
	}
	return binPath
}

// slowTarget is the reference target answering each request after d.
func slowTarget(d time.Duration) http.Handler {
	ref := reftarget.New(reftarget.Options{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		ref.ServeHTTP(w, r)
	})
}

// TestInterruptedRunSaysSo: SIGINT in the middle of a run ends it with
// exit status 1; the JSON report says interrupted, the checks not reached
// are not run (not skipped), JUnit carries errors for them, and the
// console's last line says so.
func TestInterruptedRunSaysSo(t *testing.T) {
	bin := runnerBinary(t)
	srv := httptest.NewServer(slowTarget(20 * time.Millisecond))
	defer srv.Close()
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	cmd := exec.Command(bin, "--endpoint", srv.URL, "--parallel", "2", "--json", jsonPath, "--junit", junitPath, "--quiet")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	time.Sleep(1500 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		assert.Equal(t, 1, exit.ExitCode())
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the runner did not stop within 60 s of SIGINT")
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "interrupted: the run stopped before "), lines[len(lines)-1])

	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(data))
	var rep struct {
		Interrupted bool
		Summary     struct{ Ran, Skipped, NotRun int } `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	assert.Equal(t, true, raw["interrupted"])
	notRun := int(raw["summary"].(map[string]any)["not_run"].(float64))
	assert.Greater(t, notRun, 100, "most checks were not reached")

	xmlData, err := os.ReadFile(junitPath)
	require.NoError(t, err)
	var suites struct {
		Errors  int `xml:"errors,attr"`
		Skipped int `xml:"skipped,attr"`
	}
	require.NoError(t, xml.Unmarshal(xmlData, &suites))
	assert.Equal(t, notRun, suites.Errors, "every check not reached is an error in JUnit")
	assert.Less(t, suites.Skipped, notRun, "not reached is not skipped")
}

// paddedTarget is the reference target with every JSON object answer
// padded by an extra member of n bytes: valid answers (clients ignore
// members they do not know), as large as a hostile target likes.
func paddedTarget(n int) http.Handler {
	ref := reftarget.New(reftarget.Options{})
	pad := []byte(`,"Padding":"` + strings.Repeat("x", n) + `"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		body := bytes.TrimSpace(rec.Body.Bytes())
		if len(body) > 1 && body[0] == '{' && body[len(body)-1] == '}' {
			if len(body) == 2 {
				body = append([]byte(`{"Padding":"`+strings.Repeat("x", n)+`"`), '}')
			} else {
				body = append(body[:len(body)-1:len(body)-1], pad...)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestMemoryDoesNotFollowAnswerSize: a run against a target that pads
// every answer to 512 KiB keeps its peak resident memory under 200 MiB
// (the runner reports its own peak), and it passes: the padding is a
// member the contract does not know, a note, not a failure.
func TestMemoryDoesNotFollowAnswerSize(t *testing.T) {
	bin := runnerBinary(t)
	srv := httptest.NewServer(paddedTarget(512 << 10))
	defer srv.Close()
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	cmd := exec.Command(bin, "--endpoint", srv.URL, "--run", "^(protocol|input/(AcceptHandshake|DescribeHandshake)|accept|constraint|sdk|transition/INVITE/(OPEN|ACCEPTED))/", "--json", jsonPath, "--quiet")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var rep struct {
		PeakRSS  int64 `json:"peak_rss_bytes"`
		Requests int   `json:"requests"`
		Summary  struct {
			Ran, Passed int
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Greater(t, rep.Requests, 300, "%d answers of 512 KiB: about %d MiB through the runner", rep.Requests, rep.Requests/2)
	assert.Less(t, rep.PeakRSS, int64(200<<20), "peak resident memory %d MiB", rep.PeakRSS>>20)
	t.Logf("%d requests of 512 KiB answers; peak resident memory %d MiB", rep.Requests, rep.PeakRSS>>20)
}
