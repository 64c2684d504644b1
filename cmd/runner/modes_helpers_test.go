package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

// servedMode is a way to serve the reference target: complete, or partial
// as incomplete emulators are (runner serve flags in Flags).
type servedMode struct {
	Name  string
	Flags string
	Opts  reftarget.Options
}

// servedModes are the reference target's modes the fidelity matrix and the
// partial-mode tests run against, complete first.
var servedModes = []servedMode{
	{Name: "reference", Flags: "", Opts: reftarget.Options{}},
	{Name: "without DescribeHandshake", Flags: "--without DescribeHandshake", Opts: reftarget.Options{Without: []string{"DescribeHandshake"}}},
	{Name: "implicit organizations", Flags: "--implicit-organizations", Opts: reftarget.Options{ImplicitOrganizations: true}},
	{Name: "without handshake lists", Flags: "--without ListHandshakesForAccount,ListHandshakesForOrganization", Opts: reftarget.Options{Without: []string{"ListHandshakesForAccount", "ListHandshakesForOrganization"}}},
	{Name: "without EnableAllFeatures", Flags: "--without EnableAllFeatures", Opts: reftarget.Options{Without: []string{"EnableAllFeatures"}}},
}

// modeSeed seeds every run of these tests, so that account ids repeat.
const modeSeed = "20161128"

// modeRun is one default run of the runner: its report and its --markdown
// summary.
type modeRun struct {
	Report   *check.Report
	Markdown string
	Output   string
}

var (
	modeRunsMu sync.Mutex
	modeRuns   = map[string]*modeRunOnce{}
)

type modeRunOnce struct {
	once sync.Once
	run  modeRun
	err  error
}

// runServed runs the runner (default run, default parallelism unless args
// say otherwise) against h, once per key in the test binary: the partial
// mode tests and the fidelity matrix share runs.
func runServed(t *testing.T, key string, h http.Handler, args ...string) modeRun {
	t.Helper()
	modeRunsMu.Lock()
	o := modeRuns[key]
	if o == nil {
		o = &modeRunOnce{}
		modeRuns[key] = o
	}
	modeRunsMu.Unlock()
	o.once.Do(func() {
		srv := httptest.NewServer(h)
		defer srv.Close()
		o.run, o.err = runAgainst(srv.URL, args...)
	})
	require.NoError(t, o.err, key)
	return o.run
}

// runAgainst runs the runner against url with args and reads the JSON
// report and the markdown summary it wrote.
func runAgainst(url string, args ...string) (modeRun, error) {
	dir, err := os.MkdirTemp("", "orgconform-mode-")
	if err != nil {
		return modeRun{}, err
	}
	defer os.RemoveAll(dir)
	jsonPath, mdPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	var out, errOut strings.Builder
	full := append([]string{"--endpoint", url, "--seed", modeSeed, "--quiet", "--json", jsonPath, "--markdown", mdPath}, args...)
	if code := dispatch(full, &out, &errOut); code != 0 && code != 1 {
		return modeRun{}, fmt.Errorf("runner %s: exit %d\n%s%s", strings.Join(full, " "), code, out.String(), errOut.String())
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		return modeRun{}, err
	}
	rep, err := report.ReadJSON(data)
	if err != nil {
		return modeRun{}, err
	}
	md, err := os.ReadFile(mdPath)
	if err != nil {
		return modeRun{}, err
	}
	return modeRun{Report: rep, Markdown: string(md), Output: out.String()}, nil
}

// runMode is the default run against the reference target in mode m.
func runMode(t *testing.T, m servedMode) modeRun {
	t.Helper()
	return runServed(t, "mode "+m.Name, reftarget.New(m.Opts))
}

// statuses maps each check id of rep to its status.
func statuses(rep *check.Report) map[string]check.Status {
	out := map[string]check.Status{}
	for _, r := range rep.Results {
		out[r.ID] = r.Status
	}
	return out
}

// judged reports whether a status is a verdict on the target: the check
// ran to pass or fail (not skipped, unsupported or not run).
func judged(s check.Status) bool { return s == check.Pass || s == check.Fail }

// suiteIDs are the ids of the default run's checks.
func suiteIDs() []string {
	var out []string
	for _, c := range suite.Default() {
		out = append(out, c.ID)
	}
	return out
}
