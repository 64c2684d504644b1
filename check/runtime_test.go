package check

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

func TestPauses(t *testing.T) {
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second},
		[]time.Duration{waitPause(0), waitPause(1), waitPause(2), waitPause(3), waitPause(4), waitPause(5), waitPause(6), waitPause(20)})
	assert.Equal(t, []time.Duration{250 * time.Millisecond, time.Second, 2250 * time.Millisecond}, []time.Duration{throttlePause(0), throttlePause(1), throttlePause(2)})
}

// bodies records the request bodies a target received.
type bodies struct {
	mu  sync.Mutex
	got []string
}

func (b *bodies) target(t *testing.T) *endpoint.Target {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.got = append(b.got, string(data))
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	require.NoError(t, err)
	return tgt
}

func TestCallEncodesItsInput(t *testing.T) {
	var b bodies
	tgt := b.target(t)
	Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Call(t.Principal("o"), "ListAccounts", nil)
		t.Call(t.Principal("o"), "ListAccounts", map[string]int{"MaxResults": 5})
		t.Send(t.Principal("o"), "ListAccounts", []byte("raw"))
	}), Options{})
	assert.Equal(t, []string{`{}`, `{"MaxResults":5}`, `raw`}, b.got)
}

func TestRequireExplainsTransientFailures(t *testing.T) {
	var f fake
	tgt := f.target(t, func(string, int) (int, string) { return 500, `{"__type":"ServiceException","Message":"oops"}` })
	rep := Execute(context.Background(), tgt, single("c", func(t *T) {
		t.Require(t.Call(t.Principal("o"), "CreateOrganization", nil), "CreateOrganization")
	}), Options{})
	assert.Equal(t, Fail, rep.Results[0].Status)
	assert.Contains(t, rep.Results[0].Observed, "an internal failure, so the check could not reach a verdict")
	assert.Equal(t, 1, f.calls["CreateOrganization"], "an internal failure is not retried: the call may have taken effect")
}

func TestCapabilitiesKeepTheirFinding(t *testing.T) {
	c := NewCapabilities()
	c.Set("B", Implemented, "probe")
	c.learn("B", NotImplemented, "later")
	c.learn("A", NotImplemented, "501")
	c.learn("A", Implemented, "later")
	assert.Equal(t, []OpCapability{{Operation: "A", Status: NotImplemented, Evidence: "501"}, {Operation: "B", Status: Implemented, Evidence: "probe"}}, c.List())
	assert.Equal(t, OpCapability{Operation: "C", Status: Unknown}, c.Of("C"))
	c.SetFlag("z", true, "yes")
	c.SetFlag("a", false, "no")
	assert.Equal(t, []Flag{{Name: "a", On: false, Evidence: "no"}, {Name: "z", On: true, Evidence: "yes"}}, c.Flags())
	_, ok := c.Flag("m")
	assert.False(t, ok)
}

// TestObservations: the run-wide record of error answers — undocumented
// codes and broken bodies with their evidence, counts, first answer per
// code; answers that only say "not implemented" are not error answers.
func TestObservations(t *testing.T) {
	var f fake
	tgt := f.target(t, func(op string, n int) (int, string) {
		switch op {
		case "AcceptHandshake":
			return 400, `{"__type":"HandshakeNotFoundException","Message":"no"}`
		case "DeclineHandshake":
			return 400, `{"__type":"OrganizationNotEmptyException","Message":"not documented for DeclineHandshake"}`
		case "CancelHandshake":
			return 400, `{"__type":"InvalidInputException","Message":"x","Reason":"NOT_A_REASON"}`
		case "DescribeHandshake":
			return 400, `{"__type":"SerializationException","Message":"x"}`
		}
		return 501, `{"__type":"InternalFailure","message":"not yet implemented"}`
	})
	var s *Session
	Execute(context.Background(), tgt, single("c", func(t *T) {
		s = t.Session()
		p := t.Principal("o")
		t.Call(p, "AcceptHandshake", nil)
		t.Call(p, "AcceptHandshake", nil)
		t.Call(p, "DeclineHandshake", nil)
		t.Call(p, "CancelHandshake", nil)
		t.Call(p, "DescribeHandshake", nil, oracle.CatDeserialize)
		t.Call(p, "DescribeHandshake", nil)
		t.Call(p, "ListAccounts", nil)
	}), Options{})
	n, u, sb := s.ErrorsSeen("AcceptHandshake")
	assert.Equal(t, 2, n)
	assert.Nil(t, u)
	assert.Nil(t, sb)
	first, ok := s.FirstError("AcceptHandshake", "HandshakeNotFoundException")
	require.True(t, ok)
	assert.Equal(t, Observed{Check: "c", Code: "HandshakeNotFoundException", Status: 400, Summary: first.Summary, Members: []string{"Message", "__type"}}, *first)

	_, u, _ = s.ErrorsSeen("DeclineHandshake")
	require.NotNil(t, u)
	assert.Equal(t, "OrganizationNotEmptyException is not documented for DeclineHandshake", u.Problem)
	assert.Contains(t, u.Exchange, "X-Amz-Target: AWSOrganizationsV20161128.DeclineHandshake", "the evidence is kept")

	_, u, sb = s.ErrorsSeen("CancelHandshake")
	assert.Nil(t, u)
	require.NotNil(t, sb, "a Reason outside the exception's enum breaks its schema")
	assert.Contains(t, sb.Problem, "Reason")

	n, u, _ = s.ErrorsSeen("DescribeHandshake")
	assert.Equal(t, 2, n)
	require.NotNil(t, u, "SerializationException is documented only where the call accepts deserialize errors")
	assert.Contains(t, u.Exchange, "DescribeHandshake")

	n, _, _ = s.ErrorsSeen("ListAccounts")
	assert.Zero(t, n, "a 'not implemented' answer is not an error answer of the operation")
	_, ok = s.FirstError("ListAccounts", "InternalFailure")
	assert.False(t, ok)
}

func TestRecorderBoundsAndNumbers(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	var steps []string
	var script string
	Execute(context.Background(), tgt, single("c", func(t *T) {
		rec := &Recorder{t: t}
		for i := range maxSteps + 5 {
			cli := ""
			if i%2 == 1 {
				cli = "aws organizations list-accounts"
			}
			rec.Step("step", nil, cli)
		}
		steps, script = rec.stepTexts(), rec.script()
	}), Options{})
	assert.Len(t, steps, maxSteps)
	assert.True(t, strings.HasPrefix(steps[0], "#1 step"))
	assert.True(t, strings.HasPrefix(steps[maxSteps-1], "#500 step"))
	assert.Contains(t, script, "# 2: step\naws organizations list-accounts\n# 4: step\n", "script lines carry the step numbers")
	assert.NotContains(t, script, "# 1: step")
}

func TestPeakRSS(t *testing.T) {
	rss := peakRSS()
	assert.Greater(t, rss, int64(1<<20), "a Go test process uses more than a MiB")
	assert.Less(t, rss, int64(64<<30))
}

func TestShardString(t *testing.T) {
	assert.Equal(t, "", Shard{}.String())
	assert.Equal(t, "2/3", Shard{K: 2, N: 3}.String())
}

func TestCleanupsRunLastFirstWithTheDefaultTimeout(t *testing.T) {
	var f fake
	tgt := f.target(t, func(string, int) (int, string) { return 200, `{}` })
	var order []string
	rep := Execute(context.Background(), tgt, single("c", func(t *T) {
		p := t.Principal("o")
		for _, name := range []string{"first", "second", "third"} {
			t.Cleanup(name, func(ctx context.Context) error {
				order = append(order, name)
				return t.Undo(ctx, p, "RemoveAccountFromOrganization", []byte(`{}`))
			})
		}
		t.Cleanup("fails", func(context.Context) error { return errors.New("left behind") })
	}), Options{})
	assert.Equal(t, []string{"third", "second", "first"}, order)
	assert.Equal(t, []string{"c: fails: left behind"}, rep.Cleanup, "the three undo calls succeeded within the default timeout")
	assert.Equal(t, 3, rep.Results[0].Requests, "cleanup calls count as the check's requests")
}

func TestPrepareAndInterruptedFlag(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	prepared := 0
	opts := Options{Prepare: func(context.Context, *Session) { prepared++ }}
	rep := Execute(context.Background(), tgt, single("c", func(*T) {}), opts)
	assert.Equal(t, 1, prepared)
	assert.False(t, rep.Interrupted, "a run that finished is not interrupted")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep = Execute(ctx, tgt, single("c", func(*T) {}), opts)
	assert.Equal(t, 1, prepared, "no probing for a run already stopped")
	assert.True(t, rep.Interrupted)
}

func TestInvitationBudgets(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	checks := []Check{
		{ID: "none", Group: "g", Run: func(*T) {}},
		{ID: "one", Group: "g", Needs: Needs{Invitations: 1}, Run: func(*T) {}},
		{ID: "two", Group: "g", Needs: Needs{Invitations: 2}, Run: func(*T) {}},
	}
	status := func(opts Options) []Status {
		rep := Execute(context.Background(), tgt, checks, opts)
		var out []Status
		for _, r := range rep.Results {
			out = append(out, r.Status)
		}
		return out
	}
	assert.Equal(t, []Status{Pass, Pass, Pass}, status(Options{}), "no budget")
	assert.Equal(t, []Status{Pass, Skip, Skip}, status(Options{InvitationBudget: new(0)}), "today's quota is spent")
	assert.Equal(t, []Status{Pass, Pass, Skip}, status(Options{InvitationBudget: new(2)}))
	assert.Equal(t, []Status{Pass, Pass, Pass}, status(Options{InvitationBudget: new(3)}))
}
