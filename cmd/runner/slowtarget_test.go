package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

// slowLatency is how late a slow emulator answers: Python emulators take
// about 40 ms a request.
const slowLatency = 40 * time.Millisecond

// slowGoal is how long the default run may take against such a target at
// the default parallelism, on the 2-core CI machine (issue 11.3).
const slowGoal = 12 * time.Second

// slowRun runs the runner against a fresh reference target answering
// slowLatency late, and returns its report and wall time.
func slowRun(t *testing.T, args ...string) (*check.Report, time.Duration) {
	t.Helper()
	srv := httptest.NewServer(reftarget.New(reftarget.Options{Latency: slowLatency}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "r.json")
	start := time.Now()
	code, out, errOut := runRunner(t, append([]string{"--endpoint", srv.URL, "--seed", modeSeed, "--quiet", "--json", path}, args...)...)
	elapsed := time.Since(start)
	require.Equal(t, 0, code, "a correct target passes\n%s%s", out, errOut)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	rep, err := report.ReadJSON(data)
	require.NoError(t, err)
	return rep, elapsed
}

// runWide are the run-wide checks: their verdicts judge what the rest of
// the run provoked, so a run of a selection cannot be compared with them.
func runWide() map[string]bool {
	out := map[string]bool{}
	for _, c := range suite.Default() {
		if c.After {
			out[c.ID] = true
		}
	}
	return out
}

// TestSlowTargetDefaultRun (issue 11.3): against the reference target with
// 40 ms latency, the default run at the default parallelism ends within
// slowGoal, with the verdicts a serial run gives. The serial run of every
// check takes over a minute (about 1,800 requests, one at a time), so CI
// compares against a serial run of one slice of the checks (--shard 1/40,
// every 40th check across all groups); ORGCONFORM_SLOW_SERIAL=1 compares
// every check (README's figure).
//
// It is the package's only parallel test, so it runs after the others,
// sleeping through 40 ms answers while nothing else of this package takes
// the CPUs.
func TestSlowTargetDefaultRun(t *testing.T) {
	t.Parallel()
	rep, elapsed := slowRun(t)
	if elapsed >= slowGoal {
		// Other jobs sharing the machine's two cores can slow one run by
		// seconds (runs under a load average of 10 took 12–14 s): the
		// goal holds if a second attempt meets it.
		t.Logf("first attempt took %s (load average %s); trying once more", elapsed.Round(time.Millisecond), loadAverage())
		rep, elapsed = slowRun(t)
	}
	s := rep.Summary()
	t.Logf("default run, %d at a time: %d checks, %d requests in %s (report: %s); %d passed, %d skipped",
		defaultParallel(), len(rep.Results), rep.Requests, elapsed.Round(time.Millisecond), rep.Duration.Round(time.Millisecond), s.Passed, s.Skipped)
	assert.Less(t, elapsed, slowGoal, "the default run against a 40 ms target (%d requests)", rep.Requests)
	assert.Equal(t, len(suite.Default()), len(rep.Results))
	assert.Zero(t, s.Failed+s.Unsupported+s.NotRun)

	serialArgs := []string{"--parallel", "1", "--shard", "1/40"}
	if os.Getenv("ORGCONFORM_SLOW_SERIAL") == "1" {
		serialArgs = []string{"--parallel", "1"}
	}
	serial, serialElapsed := slowRun(t, serialArgs...)
	t.Logf("serial run %v: %d checks, %d requests in %s", serialArgs, len(serial.Results), serial.Requests, serialElapsed.Round(time.Millisecond))
	wide, all := runWide(), statuses(rep)
	compared := 0
	for _, r := range serial.Results {
		if wide[r.ID] && len(serial.Results) < len(rep.Results) {
			continue
		}
		compared++
		assert.Equal(t, r.Status, all[r.ID], "%s: the serial run's verdict", r.ID)
	}
	assert.Greater(t, compared, 5, "checks compared with the serial run")
}

// loadAverage is the machine's 1-minute load average, for the log ("?"
// where /proc/loadavg cannot be read).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
