package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/schemas"
)

func sample() *check.Report {
	return &check.Report{
		Target: "http://127.0.0.1:1", Seed: 7, Duration: 1500 * time.Millisecond, Requests: 12,
		Results: []check.Result{
			{ID: "a/pass", Group: "a", Operation: "AcceptHandshake", Status: check.Pass, Requests: 3,
				Notes: []string{"AcceptHandshake answered members the contract does not know: Handshake.New"}},
			{ID: "a/fail", Group: "a", Operation: "AcceptHandshake", Status: check.Fail, Requests: 4,
				Expected: "HandshakeAlreadyInStateException", Observed: "HandshakeNotFoundException <&>", Source: "reference: you can't accept twice",
				Exchange: "#1 AcceptHandshake\nPOST / HTTP/1.1\nbody \x00 ]]>", Rerun: "runner --run '^a/fail$'"},
			{ID: "b/skip", Group: "b", Status: check.Skip, Cause: "no clock control", Observed: "the target offers no clock control"},
			{ID: "b/unsupported", Group: "b", Operation: "EnableAllFeatures", Status: check.Unsupported, Cause: "EnableAllFeatures not implemented", Observed: "EnableAllFeatures not implemented: HTML 500"},
			{ID: "b/unsupported2", Group: "b", Operation: "EnableAllFeatures", Status: check.Unsupported, Cause: "EnableAllFeatures not implemented", Observed: "EnableAllFeatures not implemented: HTML 500"},
		},
		Capabilities: []check.OpCapability{{Operation: "EnableAllFeatures", Status: check.NotImplemented, Evidence: "HTML 500"}},
		Flags:        []check.Flag{{Name: check.FlagClock, On: false, Evidence: "no /_orgconform/clock endpoint"}},
		Cleanup:      []string{"a/fail: delete organization o-1: 500"},
	}
}

func TestJSONMatchesItsSchema(t *testing.T) {
	b, err := JSON(sample())
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(b))
	var got struct {
		Summary map[string]int
		Groups  []Group
	}
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, map[string]int{"ran": 5, "passed": 1, "failed": 1, "skipped": 1, "unsupported": 2, "not_run": 0}, got.Summary)
	assert.Equal(t, []Group{{Group: "a", Checks: 2, Requests: 7, Passed: 1, Failed: 1}, {Group: "b", Checks: 3, Skipped: 1, Unsupported: 2}}, got.Groups)
	empty, err := JSON(&check.Report{})
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(empty), "a report without checks still matches (checks: [])")
}

func TestJUnitCountsAndEscapes(t *testing.T) {
	for _, allow := range []bool{false, true} {
		var buf bytes.Buffer
		require.NoError(t, WriteJUnit(&buf, sample(), Options{AllowUnsupported: allow}))
		var got struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
			Suites   []struct {
				Name string `xml:"name,attr"`
			} `xml:"testsuite"`
		}
		require.NoError(t, xml.Unmarshal(buf.Bytes(), &got), buf.String())
		assert.Equal(t, 5, got.Tests)
		if allow {
			assert.Equal(t, 1, got.Failures)
			assert.Equal(t, 3, got.Skipped)
		} else {
			assert.Equal(t, 3, got.Failures)
			assert.Equal(t, 1, got.Skipped)
		}
		assert.Len(t, got.Suites, 2)
	}
}

func TestConsoleSummary(t *testing.T) {
	var buf bytes.Buffer
	WriteConsole(&buf, sample(), Options{})
	out := buf.String()
	assert.Contains(t, out, "capabilities:\n  EnableAllFeatures  not-implemented  HTML 500\n")
	assert.Contains(t, out, "--- FAIL: a/fail (AcceptHandshake)")
	assert.Contains(t, out, "    source:   reference: you can't accept twice\n")
	assert.NotContains(t, out, "--- UNSUPPORTED", "blocked checks are one line per cause, not a block each")
	assert.Contains(t, out, "2 checks blocked: EnableAllFeatures not implemented — e.g. b/unsupported: HTML 500\n")
	assert.Contains(t, out, "SKIP b/skip: the target offers no clock control\n")
	assert.Contains(t, out, "notes (not failures):\n  a/pass: AcceptHandshake answered members")
	assert.Contains(t, out, "rerun: runner --run '^a/fail$'")
	assert.Contains(t, out, "cleanup failed 1 times")
	assert.NotContains(t, out, "\x00", "control characters from the target are not printed")
	assert.True(t, strings.HasSuffix(out, "5 checks ran: 1 passed, 1 failed, 1 skipped, 2 unsupported (they count as failures; --allow-unsupported accepts them)\n"), out)
	assert.False(t, Passed(sample(), Options{}))
	assert.False(t, Passed(sample(), Options{AllowUnsupported: true}), "a failed check fails even with unsupported allowed")

	buf.Reset()
	WriteConsole(&buf, sample(), Options{Quiet: true})
	assert.NotContains(t, buf.String(), "CHECK  OPERATION", "quiet leaves out the table")
	assert.Contains(t, buf.String(), "--- FAIL: a/fail")
}

func TestNothingRanIsNoPass(t *testing.T) {
	assert.False(t, Passed(&check.Report{}, Options{}), "a run that ran no check does not pass")
	rep := &check.Report{Results: []check.Result{{ID: "a", Group: "a", Status: check.Pass}}}
	assert.True(t, Passed(rep, Options{}))
	rep.Interrupted = true
	assert.False(t, Passed(rep, Options{}), "an interrupted run does not pass")

	skipped := &check.Report{Results: []check.Result{{ID: "a", Group: "a", Status: check.Skip, Cause: "not reachable"}}}
	assert.False(t, Passed(skipped, Options{}), "a run whose every check was skipped judged nothing")
	assert.Contains(t, SummaryLine(skipped, Options{}), "no check reached a verdict")
	blocked := &check.Report{Results: []check.Result{{ID: "a", Group: "a", Status: check.Unsupported}, {ID: "b", Group: "a", Status: check.Skip}}}
	assert.False(t, Passed(blocked, Options{AllowUnsupported: true}), "--allow-unsupported does not make a run that judged nothing pass")
	skipped.Results = append(skipped.Results, check.Result{ID: "b", Group: "a", Status: check.Pass})
	assert.True(t, Passed(skipped, Options{}))
	assert.NotContains(t, SummaryLine(skipped, Options{}), "no check reached a verdict")
}

func TestInterruptedReports(t *testing.T) {
	rep := &check.Report{Interrupted: true, Results: []check.Result{
		{ID: "a/1", Group: "a", Status: check.Pass},
		{ID: "a/2", Group: "a", Status: check.NotRun, Cause: "run interrupted", Observed: "the run was interrupted before this check"},
	}}
	var buf bytes.Buffer
	WriteConsole(&buf, rep, Options{})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Equal(t, "interrupted: the run stopped before 1 check finished; they are reported as not run", lines[len(lines)-1])
	b, err := JSON(rep)
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(b))
	assert.Contains(t, string(b), `"interrupted": true`)
	assert.Contains(t, string(b), `"not_run": 1`)
	buf.Reset()
	require.NoError(t, WriteJUnit(&buf, rep, Options{}))
	assert.Contains(t, buf.String(), `errors="1"`)
	assert.Contains(t, buf.String(), `<error message="the run was interrupted before this check" type="not-run">`)
	assert.NotContains(t, buf.String(), `skipped="1"`)
}

func TestMarkdown(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteMarkdown(&buf, sample(), Options{}))
	out := buf.String()
	assert.Contains(t, out, "## orgconform: failed\n")
	assert.Contains(t, out, "| EnableAllFeatures | not-implemented | HTML 500 |")
	assert.Contains(t, out, "| a | 2 | 1 | 1 | 0 | 0 | 0 | 7 |")
	assert.Contains(t, out, "- `a/fail`: expected HandshakeAlreadyInStateException; observed HandshakeNotFoundException &lt;&amp;&gt;")
	assert.Contains(t, out, "- 2 checks: EnableAllFeatures not implemented")
}

// TestCounterexampleRendering: a failed property shows its shrunk steps,
// replay script, seed and command in the console and in JUnit, and the
// JSON report carries them.
func TestCounterexampleRendering(t *testing.T) {
	rep := &check.Report{Target: "t", Results: []check.Result{{ID: "property/lifecycle", Group: "property", Status: check.Fail,
		Expected: "no counterexample", Observed: "ListAccounts of O1\n  observed: listed 2 times", Examples: 3, Requests: 40, Exchange: "#1 raw evidence",
		Counterexample: &check.Counterexample{Seed: "-42", Steps: []string{"#1 MANAGEMENT_1 creates organization O1\nPOST / HTTP/1.1", "#2 check: MANAGEMENT_1 lists the accounts of O1"},
			Replay: "#!/bin/sh\nO1=$(aws organizations create-organization)\n", Command: "runner --run '^property/lifecycle$' --seed -42"}}}}
	var buf bytes.Buffer
	WriteConsole(&buf, rep, Options{})
	out := buf.String()
	assert.Contains(t, out, "    observed: ListAccounts of O1\n      observed: listed 2 times\n")
	assert.Contains(t, out, "counterexample (2 steps, after 3 examples):\n      #1 MANAGEMENT_1 creates organization O1\n      POST / HTTP/1.1\n")
	assert.Contains(t, out, "replay script (aws CLI; principals from the environment):\n      #!/bin/sh\n")
	assert.Contains(t, out, "    seed: -42\n    reproduce: runner --run '^property/lifecycle$' --seed -42\n")
	assert.NotContains(t, out, "raw evidence", "the counterexample replaces the raw evidence")

	buf.Reset()
	require.NoError(t, WriteJUnit(&buf, rep, Options{}))
	assert.Contains(t, buf.String(), "counterexample (seed -42; reproduce: runner --run")

	data, err := JSON(rep)
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(data))
	assert.Contains(t, string(data), `"examples": 3`)
	assert.Contains(t, string(data), `"replay": "#!/bin/sh`)
}

func TestMergeRefusesWhatIsNotOneRunsShards(t *testing.T) {
	shard := func(s string, seed int64, target string) *check.Report {
		return &check.Report{Shard: s, Seed: seed, Target: target,
			Results: []check.Result{{ID: "p", Status: check.Pass, Requests: 2, Examples: 4}}}
	}
	emb := func(port string) string { return "embedded reference target (http://127.0.0.1:" + port + ")" }
	for _, c := range []struct {
		name string
		reps []*check.Report
		err  string
	}{
		{"none", nil, "no report"},
		{"one shard of two", []*check.Report{shard("1/2", 1, "u")}, "shard 2/2 missing"},
		{"a shard twice", []*check.Report{shard("1/2", 1, "u"), shard("1/2", 1, "u")}, "shard 1/2 is given twice"},
		{"other N", []*check.Report{shard("1/2", 1, "u"), shard("2/3", 1, "u")}, "share N"},
		{"embedded and endpoint", []*check.Report{shard("1/2", 1, emb("1")), shard("2/2", 1, "http://b")}, "share the target"},
		{"other fault", []*check.Report{shard("1/2", 1, "embedded reference target with fault x (http://127.0.0.1:1)"), shard("2/2", 1, emb("2"))}, "share the target"},
		{"an unsharded run among shards", []*check.Report{shard("1/2", 1, "u"), shard("", 1, "u")}, "not a shard"},
		{"two unsharded runs", []*check.Report{shard("", 1, "u"), shard("", 1, "u")}, "not a shard"},
	} {
		_, err := Merge(c.reps, nil)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.err, c.name)
		}
	}
	_, err := Merge([]*check.Report{shard("1/2", 1, "http://127.0.0.1:49153"), shard("2/2", 2, "http://127.0.0.1:49161")}, nil)
	assert.NoError(t, err, "each CI job's own emulator at its own address, with its own seed")
	one, err := Merge([]*check.Report{shard("", 1, "u")}, nil)
	require.NoError(t, err, "one unsharded run merges to itself")
	assert.Len(t, one.Results, 1)

	a, b := shard("2/2", 5, emb("1")), shard("1/2", 5, emb("2"))
	b.Results[0].Status = check.Fail
	b.Results[0].Observed = "a counterexample"
	m, err := Merge([]*check.Report{a, b}, nil)
	require.NoError(t, err, "embedded targets on other ports are one target")
	require.Len(t, m.Results, 1)
	r := m.Results[0]
	assert.Equal(t, check.Fail, r.Status, "a check several shards ran fails when one failed it")
	assert.Equal(t, "a counterexample", r.Observed)
	assert.Equal(t, 4, r.Requests, "requests add up")
	assert.Equal(t, 8, r.Examples, "examples add up")
}
