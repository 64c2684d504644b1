package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/reftarget"
)

// propertyReport is the part of the JSON report the property tests read.
type propertyReport struct {
	DurationSeconds float64 `json:"duration_seconds"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	Checks          []struct {
		ID, Status, Observed string
		Examples             int
		Requests             int
		Counterexample       *check.Counterexample
	} `json:"checks"`
}

func readPropertyReport(t *testing.T, path string) propertyReport {
	t.Helper()
	readReport(t, path) // valid against the schema
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rep propertyReport
	require.NoError(t, json.Unmarshal(data, &rep))
	return rep
}

// TestPropertiesAreChecksOfTheDefaultRun: the properties run, pass on the
// embedded target and count their examples and requests.
func TestPropertiesAreChecksOfTheDefaultRun(t *testing.T) {
	code, out, _ := runRunner(t, "--list")
	require.Equal(t, 0, code)
	for _, id := range []string{"property/input/AcceptHandshake", "property/input/ListAccounts", "property/lifecycle", "property/linearizable"} {
		assert.Contains(t, out, id+"\n")
	}
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runRunner(t, "--run", "^property/(lifecycle|linearizable|input/DescribeHandshake)$", "--examples", "3", "--steps", "5", "--json", path)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	rep := readPropertyReport(t, path)
	require.Len(t, rep.Checks, 3)
	for _, c := range rep.Checks {
		assert.Equal(t, "pass", c.Status, c.ID)
		assert.Equal(t, 3, c.Examples, c.ID)
		assert.Positive(t, c.Requests, c.ID)
	}
}

// accountsTwice lists the management account twice in ListAccounts.
func accountsTwice(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListAccounts") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var out map[string]json.RawMessage
		var accounts []json.RawMessage
		if rec.Code == 200 && json.Unmarshal(rec.Body.Bytes(), &out) == nil && json.Unmarshal(out["Accounts"], &accounts) == nil && len(accounts) > 0 {
			out["Accounts"], _ = json.Marshal(append(accounts, accounts[0]))
			b, _ := json.Marshal(out)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Write(b)
			return
		}
		w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// TestPropertyFailureIsReproducible: a failed property prints its
// counterexample (steps, replay script, seed, command), carries it in the
// JSON report, writes it under --failures and nowhere else, and the
// command's --seed makes the failing example the first one tried.
func TestPropertyFailureIsReproducible(t *testing.T) {
	srv := httptest.NewServer(accountsTwice(reftarget.New(reftarget.Options{})))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	failures, path := filepath.Join(dir, "failures"), filepath.Join(dir, "r.json")
	wd, _ := os.Getwd()
	before, _ := os.ReadDir(wd)
	code, out, errOut := runRunner(t, "--endpoint", srv.URL, "--run", "^property/lifecycle$", "--examples", "5", "--steps", "5", "--shrink-time", "3s",
		"--json", path, "--failures", failures)
	require.Equal(t, 1, code, "%s\n%s", out, errOut)
	after, _ := os.ReadDir(wd)
	assert.Equal(t, len(before), len(after), "nothing written into the working directory")
	assert.Contains(t, out, "--- FAIL: property/lifecycle")
	assert.Contains(t, out, "counterexample (")
	assert.Contains(t, out, "replay script (aws CLI")
	assert.Regexp(t, `reproduce: .* --run '\^property/lifecycle\$' .*--seed -?\d+`, out)
	assert.NotContains(t, out, "Signature=", "secrets redacted")

	rep := readPropertyReport(t, path)
	require.Len(t, rep.Checks, 1)
	c := rep.Checks[0]
	require.NotNil(t, c.Counterexample)
	assert.Contains(t, c.Observed, "listed 2 times")
	assert.NotEmpty(t, c.Counterexample.Steps)
	assert.True(t, strings.HasPrefix(c.Counterexample.Steps[0], "#1 MANAGEMENT_1 creates organization O1"), c.Counterexample.Steps[0])
	assert.Contains(t, c.Counterexample.Replay, "aws organizations create-organization")
	script, err := os.ReadFile(filepath.Join(failures, "property-lifecycle.sh"))
	require.NoError(t, err)
	assert.Equal(t, c.Counterexample.Replay, string(script))
	text, err := os.ReadFile(filepath.Join(failures, "property-lifecycle.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(text), c.Counterexample.Command)

	// The seed alone reproduces it: the failing example comes first.
	seed := regexp.MustCompile(`--seed (-?\d+)`).FindStringSubmatch(c.Counterexample.Command)
	require.NotNil(t, seed, c.Counterexample.Command)
	code, out, _ = runRunner(t, "--endpoint", srv.URL, "--run", "^property/lifecycle$", "--examples", "1", "--steps", "5", "--shrink-time", "1s", "--seed", seed[1])
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "listed 2 times")
}

// TestFuzzCampaign: runner fuzz runs the properties in rounds for the
// duration and reports every property with its examples summed.
func TestFuzzCampaign(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	start := time.Now()
	code, out, errOut := runRunner(t, "fuzz", "--duration", "1s", "--run", "^property/(input/DescribeHandshake|linearizable)$", "--examples", "5", "--json", path)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Less(t, time.Since(start), 20*time.Second)
	rep := readPropertyReport(t, path)
	require.Len(t, rep.Checks, 2)
	for _, c := range rep.Checks {
		assert.Equal(t, "pass", c.Status, c.ID)
		assert.GreaterOrEqual(t, c.Examples, 5, "%s: at least one round of --examples", c.ID)
	}
	assert.GreaterOrEqual(t, rep.DurationSeconds, 1.0)
	assert.Positive(t, rep.PeakRSSBytes)

	code, _, errOut = runRunner(t, "fuzz", "--duration", "0s")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--duration must be positive")
	code, _, errOut = runRunner(t, "fuzz", "--endpoint", " ")
	assert.Equal(t, 2, code, "an empty --endpoint (an unset variable) is no campaign against the embedded target")
	assert.Contains(t, errOut, "--endpoint is empty")
}

// TestFuzzCampaignShards: the shards of a campaign fuzz different
// properties, and runner merge joins them.
func TestFuzzCampaignShards(t *testing.T) {
	dir := t.TempDir()
	sel := "^property/input/(Accept|Decline)Handshake$"
	var paths []string
	ids := map[string]int{}
	for _, shard := range []string{"1/2", "2/2"} {
		path := filepath.Join(dir, strings.ReplaceAll(shard, "/", "-")+".json")
		code, out, errOut := runRunner(t, "fuzz", "--duration", "1s", "--examples", "3", "--run", sel, "--shard", shard, "--json", path, "--quiet")
		require.Equal(t, 0, code, "%s\n%s", out, errOut)
		rep := readPropertyReport(t, path)
		require.Len(t, rep.Checks, 1, "each shard fuzzes one of the two properties")
		ids[rep.Checks[0].ID]++
		paths = append(paths, path)
	}
	assert.Equal(t, map[string]int{"property/input/AcceptHandshake": 1, "property/input/DeclineHandshake": 1}, ids)
	merged := filepath.Join(dir, "merged.json")
	code, out, errOut := runRunner(t, append([]string{"merge", "--json", merged}, paths...)...)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Len(t, readPropertyReport(t, merged).Checks, 2)

	code, _, errOut = runRunner(t, "fuzz", "--shard", "3/2", "--run", sel)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--shard")
}

// TestFuzzCampaignMemoryIsFlat: the live heap of a campaign does not grow
// with its length. Every round runs against a fresh embedded target and
// keeps only the sums of its results; the live heap, sampled after a
// collection every few rounds, is as high at the end of a campaign as at
// its start (medians of the first and last thirds of the samples, within
// 4 MiB: what other rounds hold in flight when a sample is taken — a
// lifecycle example's recorded steps, a 100000-rune generated NextToken —
// moves samples by a few MiB, while keeping even 20 KiB a round would add
// more than that over the test's 300-odd rounds).
func TestFuzzCampaignMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a campaign")
	}
	f, err := parseFuzzFlags([]string{"--duration", "5s", "--examples", "5", "--steps", "10", "--quiet"})
	require.NoError(t, err)
	var mu sync.Mutex
	var samples []uint64
	rounds := 0
	rep, err := campaign(context.Background(), f, properties(regexp.MustCompile("^property/(lifecycle|linearizable|input/ListAccounts)$")), io.Discard, func(check.Result) {
		mu.Lock()
		defer mu.Unlock()
		rounds++
		if rounds%3 != 0 {
			return
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		samples = append(samples, ms.HeapAlloc)
	})
	require.NoError(t, err)
	for _, r := range rep.Results {
		require.Equal(t, check.Pass, r.Status, "%s: %s", r.ID, r.Observed)
	}
	require.GreaterOrEqual(t, len(samples), 9, "%d rounds", rounds)
	third := len(samples) / 3
	first, last := median(samples[:third]), median(samples[len(samples)-third:])
	t.Logf("%d rounds, %d samples: live heap median %.1f MiB in the first third, %.1f MiB in the last", rounds, len(samples), float64(first)/(1<<20), float64(last)/(1<<20))
	assert.LessOrEqual(t, last, first+4<<20, "the live heap grew with the campaign's length")
}

func median(xs []uint64) uint64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestFuzzCampaignOnASharedAccountIsSerial: against a target that serves
// every caller as one account, a campaign's properties take turns instead
// of running at once (they would share that account's organization). The
// properties chosen send one request at a time each, so two requests in
// flight at once would be two properties running together.
func TestFuzzCampaignOnASharedAccountIsSerial(t *testing.T) {
	ref := reftarget.New(reftarget.Options{SharedAccount: true})
	var inFlight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	f, err := parseFuzzFlags([]string{"--endpoint", srv.URL, "--duration", "1s", "--examples", "3", "--steps", "10", "--quiet"})
	require.NoError(t, err)
	rep, err := campaign(t.Context(), f, properties(regexp.MustCompile("^property/(lifecycle|input/(ListAccounts|DescribeHandshake))$")), io.Discard, nil)
	require.NoError(t, err)
	fl, ok := sharedAccount(rep)
	require.True(t, ok && fl.On, "shared-account: %+v", fl)
	for _, r := range rep.Results {
		assert.Positive(t, r.Examples, "%s ran", r.ID)
	}
	assert.Equal(t, int64(1), most.Load(), "requests in flight at once")
}
