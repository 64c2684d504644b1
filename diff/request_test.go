package diff

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// TestRequestsNameHandshakesAsAnswersDo: a request names a handshake by
// the handle its answers gave it, not by the invitation step it came from:
// after a refused invitation, the third invitation's handshake is the
// second the target made, in the request and in the answer alike. Role
// accounts are named by role in both; an invitation the target refused is
// sent as an id nobody issued, shown as it is.
func TestRequestsNameHandshakesAsAnswersDo(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	t.Cleanup(srv.Close)
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 7})
	require.NoError(t, err)
	invite := func(k int) Step {
		return Step{Op: "InviteAccountToOrganization", Role: roleManagement, Invites: true, Body: fmt.Sprintf(`{"Target":{"Type":"ACCOUNT","Id":"<%s>"}}`, recipientRole(k))}
	}
	seq := Sequence{Index: 1, Steps: []Step{
		invite(1),
		invite(1), // a duplicate of an open invitation: refused
		invite(2),
		{Op: "DescribeHandshake", Role: recipientRole(2), Body: ref(3)},
		{Op: "AcceptHandshake", Role: recipientRole(1), Body: ref(2)},
	}}
	got := play(t.Context(), tgt, []Sequence{seq}, 1)[0]
	require.Len(t, got, 1+len(seq.Steps), "%+v", got)
	require.Contains(t, got[2].norm, "DuplicateHandshakeException", "the second invitation is refused")

	assert.Equal(t, `{"Target":{"Type":"ACCOUNT","Id":"<recipient#2>"}}`, got[3].request)
	assert.Contains(t, got[3].norm, `"Id":"<handshake#2>"`)
	assert.Equal(t, `{"HandshakeId":"<handshake#2>"}`, got[4].request, "invitation#3 is the second handshake")
	assert.Contains(t, got[4].norm, `"Id":"<handshake#2>"`, "the answer names it alike")
	assert.Contains(t, got[4].norm, `"Id":"<recipient#2>"`, "its recipient party, by role")
	assert.Equal(t, `{"HandshakeId":"h-0000000002"}`, got[5].request, "the refused invitation: an id nobody issued")
	assert.Contains(t, got[5].norm, "HandshakeNotFoundException")
}

// TestRequestOfShowsBothNumberings: where the targets numbered ids
// differently before a step, its difference shows both requests.
func TestRequestOfShowsBothNumberings(t *testing.T) {
	st := Step{Op: "AcceptHandshake", Role: recipientRole(1), Body: ref(3)}
	a := answer{request: `{"HandshakeId":"<handshake#2>"}`}
	b := answer{request: `{"HandshakeId":"<handshake#3>"}`}
	assert.Equal(t, `{"HandshakeId":"<handshake#2>"}`, requestOf(st, a, a))
	assert.Equal(t, `{"HandshakeId":"<handshake#2>"} (on B: {"HandshakeId":"<handshake#3>"})`, requestOf(st, a, b))
	assert.Equal(t, `{"HandshakeId":"<handshake#3>"}`, requestOf(st, answer{}, b), "A never sent it")
	assert.Equal(t, `{"HandshakeId":"<invitation#3>"}`, requestOf(st, answer{}, answer{}), "neither sent it")
}
