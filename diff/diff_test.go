package diff_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/diff"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// target serves a fresh reference target with opts for the test.
func target(t *testing.T, opts reftarget.Options) *endpoint.Target {
	t.Helper()
	srv := httptest.NewServer(reftarget.New(opts))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 7})
	require.NoError(t, err)
	return tgt
}

// TestSameSequences: the same seed draws the same sequences, another seed
// others; every sequence starts with an invitation and names only the
// sequence's roles.
func TestSameSequences(t *testing.T) {
	a, b := diff.Generate(3, 5, 12), diff.Generate(3, 5, 12)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, diff.Generate(4, 5, 12))
	ops := map[string]bool{}
	for _, seq := range a {
		require.Len(t, seq.Steps, 12)
		assert.True(t, seq.Steps[0].Invites, "sequence %d starts with %s", seq.Index, seq.Steps[0])
		for _, st := range seq.Steps {
			ops[st.Op] = true
			assert.Regexp(t, `^(management|outsider|recipient#[1-3])$`, st.Role)
		}
	}
	assert.GreaterOrEqual(t, len(ops), 5, "the steps mix operations: %v", ops)
}

// TestReferenceAgreesWithItself: two reference targets answer every step
// alike once ids, timestamps and request ids are mapped away.
func TestReferenceAgreesWithItself(t *testing.T) {
	res := diff.Run(t.Context(), target(t, reftarget.Options{}), target(t, reftarget.Options{}), diff.Options{Seed: 1})
	assert.True(t, res.Agree(), "differences: %+v", res.Differences)
	assert.Equal(t, 12*(14+1), res.Compared, "the setup and every step of every sequence compared")
}

// TestFaultsDiffer: against a reference target with a planted fault the
// run reports the steps where the fault shows, with both answers.
func TestFaultsDiffer(t *testing.T) {
	for fault, want := range map[string]struct{ op, role, a, b string }{
		"decline-by-sender":      {"DeclineHandshake", "management", "AccessDeniedException", `"State":"DECLINED"`},
		"accept-without-joining": {"", "", "", ""},
		"cancel-by-recipient":    {"CancelHandshake", "recipient#", "AccessDeniedException", `"State":"CANCELED"`},
		"stale-account-list":     {"ListHandshakesForAccount", "recipient#", `"State":"`, `"State":"OPEN"`},
	} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			res := diff.Run(t.Context(), target(t, reftarget.Options{}), target(t, reftarget.Options{Fault: fault}), diff.Options{Seed: 1})
			require.False(t, res.Agree(), "the fault %s went unnoticed", fault)
			if want.op == "" {
				return
			}
			found := false
			for _, d := range res.Differences {
				if d.Op == want.op && strings.HasPrefix(d.Role, want.role) && strings.Contains(d.A, want.a) && strings.Contains(d.B, want.b) {
					found = true
					assert.Positive(t, d.Step)
					if h := handshakeHandle.FindString(d.Request); h != "" && strings.Contains(d.B, `"Handshake":`) {
						assert.Contains(t, d.B, `"Id":"`+h+`"`, "the request and its answer name one handshake alike: %s", d.Request)
					}
				}
			}
			assert.True(t, found, "no difference of %s as %s (A %s, B %s) among %+v", want.op, want.role, want.a, want.b, res.Differences)
		})
	}
}

// handshakeHandle finds a handshake's handle in a request.
var handshakeHandle = regexp.MustCompile(`<handshake#\d+>`)
