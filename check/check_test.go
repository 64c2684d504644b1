package check

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

// fake is a scripted target: answer decides each reply by operation.
type fake struct {
	mu    sync.Mutex
	calls map[string]int
	order []string
}

func (f *fake) target(t *testing.T, answer func(op string, n int) (int, string)) *endpoint.Target {
	t.Helper()
	f.calls = map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
		f.mu.Lock()
		f.calls[op]++
		n := f.calls[op]
		f.order = append(f.order, op)
		f.mu.Unlock()
		status, body := answer(op, n)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Timeout: 2 * time.Second, Seed: 7})
	require.NoError(t, err)
	return tgt
}

func notFound(string, int) (int, string) {
	return 400, `{"__type":"HandshakeNotFoundException","Message":"no"}`
}

func single(id string, run func(*T)) []Check {
	return []Check{{ID: id, Group: "g", Operation: "AcceptHandshake", Run: run}}
}

func TestVerdicts(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	p := func(t *T) endpoint.Principal { return t.Principal("outsider") }
	checks := []Check{
		{ID: "pass", Group: "a", Run: func(t *T) {
			t.Expect(t.Call(p(t), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
		}},
		{ID: "fail", Group: "a", Run: func(t *T) {
			e := oracle.Errors("AccessDeniedException")
			e.Source = "reference: a sentence"
			t.Expect(t.Call(p(t), "AcceptHandshake", nil), e)
			t.Failf(nil, "unreachable", "the check went on after its verdict")
		}},
		{ID: "skip", Group: "b", Run: func(t *T) { t.Skipf("no clock: the target offers none") }},
		{ID: "blocked", Group: "b", Run: func(t *T) { t.Blockedf("X not implemented", "501") }},
		{ID: "panics", Group: "b", Run: func(t *T) { panic("boom") }},
		{ID: "notes", Group: "b", Run: func(t *T) { t.Notef("seen %d", 1); t.Notef("seen %d", 1) }},
	}
	rep := Execute(context.Background(), tgt, checks, Options{})
	got := map[string]Result{}
	for _, r := range rep.Results {
		got[r.ID] = r
	}
	assert.Equal(t, Pass, got["pass"].Status)
	assert.Equal(t, Fail, got["fail"].Status)
	assert.Equal(t, "HTTP error AccessDeniedException", got["fail"].Expected)
	assert.Contains(t, got["fail"].Observed, "HandshakeNotFoundException")
	assert.Equal(t, "reference: a sentence", got["fail"].Source)
	assert.Contains(t, got["fail"].Exchange, "#1 AcceptHandshake\nPOST ")
	assert.Equal(t, 1, got["fail"].Requests)
	assert.Equal(t, Skip, got["skip"].Status)
	assert.Equal(t, "no clock", got["skip"].Cause)
	assert.Equal(t, Unsupported, got["blocked"].Status)
	assert.Equal(t, "X not implemented", got["blocked"].Cause)
	assert.Equal(t, Fail, got["panics"].Status)
	assert.Contains(t, got["panics"].Observed, "internal error in check: boom")
	assert.Equal(t, []string{"seen 1"}, got["notes"].Notes, "a note is kept once")
	assert.Equal(t, Summary{Ran: 6, Passed: 2, Failed: 2, Skipped: 1, Unsupported: 1}, rep.Summary())
	assert.Equal(t, "runner --run '^pass$'", got["pass"].Rerun)
}

func TestThrottledCallsAreRetried(t *testing.T) {
	var f fake
	tgt := f.target(t, func(op string, n int) (int, string) {
		if n < 3 {
			return 400, `{"__type":"ThrottlingException"}`
		}
		return notFound(op, n)
	})
	rep := Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
	}), Options{})
	assert.Equal(t, Pass, rep.Results[0].Status, rep.Results[0].Observed)
	assert.Equal(t, 3, f.calls["AcceptHandshake"])

	f2 := fake{}
	tgt = f2.target(t, func(string, int) (int, string) { return 400, `{"__type":"ThrottlingException"}` })
	rep = Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
	}), Options{})
	assert.Equal(t, Fail, rep.Results[0].Status)
	assert.Contains(t, rep.Results[0].Observed, "throttled on all 3 attempts")
	assert.Equal(t, attempts, f2.calls["AcceptHandshake"])
}

func TestWaitsAreWaitedOut(t *testing.T) {
	var f fake
	tgt := f.target(t, func(op string, n int) (int, string) {
		if n < 2 {
			return 400, `{"__type":"FinalizingOrganizationException"}`
		}
		return 200, `{}`
	})
	opts := Options{Waits: []Wait{{Code: "FinalizingOrganizationException", Max: 5 * time.Second}}}
	rep := Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Require(t.Call(t.Principal("o"), "InviteAccountToOrganization", nil), "invite")
	}), opts)
	assert.Equal(t, Pass, rep.Results[0].Status, rep.Results[0].Observed)
	assert.Equal(t, 2, f.calls["InviteAccountToOrganization"])

	f2 := fake{}
	tgt = f2.target(t, func(string, int) (int, string) { return 400, `{"__type":"FinalizingOrganizationException"}` })
	opts.Waits[0].Max = 1500 * time.Millisecond
	rep = Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Require(t.Call(t.Principal("o"), "InviteAccountToOrganization", nil), "invite")
	}), opts)
	assert.Equal(t, Fail, rep.Results[0].Status)
	assert.Contains(t, rep.Results[0].Observed, "still the answer after waiting 1.5s")
}

func TestSpacing(t *testing.T) {
	var f fake
	tgt := f.target(t, func(string, int) (int, string) { return 200, `{}` })
	opts := Options{Spacing: 150 * time.Millisecond, SpacedOps: []string{"RemoveAccountFromOrganization"}, Parallel: 4}
	var checks []Check
	for i := range 4 {
		checks = append(checks, Check{ID: fmt.Sprint(i), Group: "g", Run: func(t *T) {
			t.Call(t.Principal("o"), "RemoveAccountFromOrganization", nil)
			t.Call(t.Principal("o"), "DescribeOrganization", nil)
		}})
	}
	start := time.Now()
	Execute(context.Background(), tgt, checks, opts)
	assert.GreaterOrEqual(t, time.Since(start), 3*150*time.Millisecond, "four spaced calls take at least three spacings")
}

func TestTimeoutBudget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	var checks []Check
	for i := range 5 {
		checks = append(checks, Check{ID: fmt.Sprint(i), Group: "g", Run: func(t *T) {
			t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
		}})
	}
	start := time.Now()
	rep := Execute(context.Background(), tgt, checks, Options{})
	for _, r := range rep.Results {
		assert.Equal(t, Fail, r.Status)
	}
	assert.Contains(t, rep.Results[4].Observed, "timed out 2 times earlier in this run; not called again")
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestImplementedThenNotImplementedFails(t *testing.T) {
	var f fake
	tgt := f.target(t, func(op string, n int) (int, string) {
		if n > 1 {
			return 500, `<html><title>500 Internal Server Error</title></html>`
		}
		return notFound(op, n)
	})
	checks := []Check{
		{ID: "a", Group: "g", Run: func(t *T) {
			t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
		}},
		{ID: "b", Group: "g", Run: func(t *T) {
			t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("HandshakeNotFoundException"))
		}},
	}
	rep := Execute(context.Background(), tgt, checks, Options{})
	assert.Equal(t, Pass, rep.Results[0].Status)
	assert.Equal(t, Fail, rep.Results[1].Status, "a crash after answering as implemented is a failure, not unsupported")
	assert.Contains(t, rep.Results[1].Expected, "answers as the implemented operation it showed itself to be")

	f2 := fake{}
	tgt = f2.target(t, func(string, int) (int, string) {
		return 501, `{"__type":"InternalFailure","message":"not yet implemented"}`
	})
	checks[1].Needs.Ops = []string{"AcceptHandshake"}
	rep = Execute(context.Background(), tgt, checks, Options{})
	assert.Equal(t, Unsupported, rep.Results[0].Status)
	assert.Equal(t, "AcceptHandshake not implemented", rep.Results[0].Cause)
	assert.Equal(t, Unsupported, rep.Results[1].Status)
	assert.Equal(t, 1, f2.calls["AcceptHandshake"], "a check that needs a missing operation is not attempted")
	assert.Equal(t, []OpCapability{{Operation: "AcceptHandshake", Status: NotImplemented, Evidence: rep.Capabilities[0].Evidence}}, rep.Capabilities)
}

func TestParallelRunsKeepOrderAndAfterRunsLast(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	var seen atomic.Int64
	var checks []Check
	for i := range 20 {
		checks = append(checks, Check{ID: fmt.Sprintf("c%02d", i), Group: fmt.Sprint(i % 3), Run: func(t *T) {
			time.Sleep(time.Duration(20-i) * time.Millisecond)
			seen.Add(1)
		}})
	}
	checks = append(checks, Check{ID: "after", Group: "z", After: true, Run: func(t *T) {
		if n := seen.Load(); n != 20 {
			t.Failf(nil, "every other check finished", "%d finished", n)
		}
	}})
	var progress bytes.Buffer
	rep := Execute(context.Background(), tgt, checks, Options{Parallel: 8, Progress: &progress})
	require.Len(t, rep.Results, 21)
	for i, r := range rep.Results[:20] {
		assert.Equal(t, fmt.Sprintf("c%02d", i), r.ID, "results keep the order of the checks")
	}
	assert.Equal(t, Pass, rep.Results[20].Status, rep.Results[20].Observed)
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	require.Len(t, lines, 4)
	assert.True(t, strings.HasPrefix(lines[0], "0 "), lines[0])
	assert.True(t, strings.HasPrefix(lines[3], "z "), lines[3])
}

func TestInterruptedRunsAreNotRun(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	ctx, cancel := context.WithCancel(context.Background())
	checks := []Check{
		{ID: "first", Group: "g", Run: func(t *T) {}},
		{ID: "stops", Group: "g", Run: func(t *T) {
			cancel()
			t.Expect(t.Call(t.Principal("o"), "AcceptHandshake", nil), oracle.Errors("AccessDeniedException"))
		}},
		{ID: "later", Group: "g", Run: func(t *T) {}},
	}
	rep := Execute(ctx, tgt, checks, Options{})
	assert.True(t, rep.Interrupted)
	assert.Equal(t, []Status{Pass, NotRun, NotRun}, []Status{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status})
	assert.Equal(t, Summary{Ran: 1, Passed: 1, NotRun: 2}, rep.Summary())
}

func TestSelectAndShards(t *testing.T) {
	var checks []Check
	for i := range 10 {
		checks = append(checks, Check{ID: fmt.Sprintf("x/%d", i)})
	}
	checks = append(checks, Check{ID: "errors/all", After: true}, Check{ID: "property/p", Early: true})
	assert.Len(t, Select(checks, regexp.MustCompile(`^x/[0-4]$`), Shard{}), 5)
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		for _, c := range Select(checks, nil, Shard{K: k, N: 3}) {
			seen[c.ID]++
		}
	}
	for i := range 10 {
		assert.Equal(t, 1, seen[fmt.Sprintf("x/%d", i)], "every check is in exactly one shard")
	}
	assert.Equal(t, 3, seen["errors/all"], "run-wide checks run in every shard")
	assert.Equal(t, 3, seen["property/p"], "properties run in every shard, each with examples of its own")
	assert.Equal(t, Select(checks, nil, Shard{K: 2, N: 3}), Select(checks, nil, Shard{K: 2, N: 3}), "deterministic")
}

func TestFixedPrincipalsAreLeasedAndPlanned(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	fixed := []endpoint.Principal{
		{Role: "management", AccountID: "111111111111", AccessKeyID: "A", SecretAccessKey: "secret-1"},
		{Role: "recipient", AccountID: "222222222222", AccessKeyID: "B", SecretAccessKey: "secret-2"},
	}
	var mu sync.Mutex
	var inUse, most int
	var checks []Check
	for i := range 6 {
		checks = append(checks, Check{ID: fmt.Sprint(i), Group: "g", Needs: Needs{Principals: map[string]int{"management": 1, "recipient": 1}, Invitations: 1},
			Run: func(ct *T) {
				mu.Lock()
				inUse++
				most = max(most, inUse)
				mu.Unlock()
				if got := ct.Principal("management").AccountID; got != "111111111111" {
					ct.Failf(nil, "the fixed management account", "%s", got)
				}
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				inUse--
				mu.Unlock()
			}})
	}
	checks = append(checks, Check{ID: "two-managers", Group: "g", Needs: Needs{Principals: map[string]int{"management": 2}}, Run: func(t *T) {}})
	checks = append(checks, Check{ID: "greedy", Group: "g", Needs: Needs{Principals: map[string]int{"recipient": 1}}, Run: func(t *T) {
		t.Principal("recipient")
		t.Principal("recipient")
	}})
	rep := Execute(context.Background(), tgt, checks, Options{Fixed: fixed, Parallel: 4, InvitationBudget: new(4)})
	assert.Equal(t, 1, most, "a fixed account is leased to one check at a time")
	statuses := map[string]Result{}
	for _, r := range rep.Results {
		statuses[r.ID] = r
	}
	for i := range 4 {
		assert.Equal(t, Pass, statuses[fmt.Sprint(i)].Status)
	}
	for _, id := range []string{"4", "5"} {
		assert.Equal(t, Skip, statuses[id].Status)
		assert.Equal(t, "left for the next run (invitation budget)", statuses[id].Cause)
	}
	assert.Equal(t, Skip, statuses["two-managers"].Status)
	assert.Contains(t, statuses["two-managers"].Observed, "the check needs 2 management account(s), the target file has 1")
	assert.Equal(t, Fail, statuses["greedy"].Status, "asking for more accounts than declared is a bug in the check")
	assert.Equal(t, "the check needs 2 management account(s), the target file has 1", CannotServe(map[string]int{"management": 2}, fixed))
	assert.Empty(t, CannotServe(map[string]int{"management": 2}, nil), "minted principals serve any need")
}

func TestMintedPrincipalsDependOnTheCheck(t *testing.T) {
	var f fake
	ids := map[string]string{}
	var mu sync.Mutex
	mk := func(id string) Check {
		return Check{ID: id, Group: "g", Run: func(t *T) {
			mu.Lock()
			ids[id] = t.Principal("recipient").AccountID + "/" + t.Principal("recipient").AccountID
			mu.Unlock()
		}}
	}
	Execute(context.Background(), f.target(t, notFound), []Check{mk("a"), mk("b")}, Options{})
	first := map[string]string{"a": ids["a"], "b": ids["b"]}
	Execute(context.Background(), f.target(t, notFound), []Check{mk("b"), mk("a")}, Options{Parallel: 2})
	assert.Equal(t, first, ids, "a check gets the same accounts whatever order the run takes (same seed)")
	a := strings.Split(ids["a"], "/")
	assert.NotEqual(t, a[0], a[1], "two principals of a role are two accounts")
}

func TestEvidenceIsCapped(t *testing.T) {
	var f fake
	big := strings.Repeat("x", 3000)
	tgt := f.target(t, func(string, int) (int, string) {
		return 400, `{"__type":"HandshakeNotFoundException","Message":"` + big + `"}`
	})
	rep := Execute(context.Background(), tgt, single("c", func(t *T) {
		for range 60 {
			t.Call(t.Principal("o"), "DescribeHandshake", nil)
		}
		t.Failf(nil, "x", "y")
	}), Options{})
	ex := rep.Results[0].Exchange
	assert.Contains(t, ex, "#1 DescribeHandshake", "the first exchange is kept")
	assert.Contains(t, ex, "#60 DescribeHandshake", "the last is kept")
	assert.NotContains(t, ex, "#30 DescribeHandshake\nPOST", "the middle is dropped")
	assert.LessOrEqual(t, len(ex), maxEvidenceBytes+8<<10)
	assert.Equal(t, 60, rep.Results[0].Requests)
}

func TestShardSeedsAndExamples(t *testing.T) {
	assert.Equal(t, uint64(42), ShardSeed(42, Shard{}), "an unsharded run keeps its seed")
	seeds := map[uint64]bool{}
	for k := 1; k <= 4; k++ {
		s := ShardSeed(42, Shard{K: k, N: 4})
		assert.Equal(t, s, ShardSeed(42, Shard{K: k, N: 4}), "the same every time")
		assert.NotEqual(t, uint64(42), s)
		seeds[s] = true
	}
	assert.Len(t, seeds, 4, "every shard draws other examples")
	assert.NotEqual(t, ShardSeed(42, Shard{K: 1, N: 2}), ShardSeed(43, Shard{K: 1, N: 2}), "the run's seed matters")
	assert.Equal(t, 8, ShardExamples(8, Shard{}))
	assert.Equal(t, 4, ShardExamples(8, Shard{K: 1, N: 2}))
	assert.Equal(t, 3, ShardExamples(8, Shard{K: 3, N: 3}), "rounded up: the shards try at least the examples of one run")
	assert.Equal(t, 1, ShardExamples(1, Shard{K: 2, N: 4}))
}

// TestHintOnFailure: a hint is a note of a failed check only.
func TestHintOnFailure(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	hinted := func(fail bool) Check {
		return Check{ID: fmt.Sprintf("x/%v", fail), Group: "x", Run: func(ct *T) {
			ct.HintOnFailure("the email came from the target file")
			if fail {
				ct.Failf(nil, "an answer", "none")
			}
		}}
	}
	rep := Execute(context.Background(), tgt, []Check{hinted(false), hinted(true)}, Options{})
	require.Len(t, rep.Results, 2)
	assert.Equal(t, Pass, rep.Results[0].Status)
	assert.Empty(t, rep.Results[0].Notes, "a check that passes keeps no hint")
	assert.Equal(t, Fail, rep.Results[1].Status)
	assert.Equal(t, []string{"the email came from the target file"}, rep.Results[1].Notes)
}
