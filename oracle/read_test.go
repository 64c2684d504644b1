package oracle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadFollowsThePermissions(t *testing.T) {
	e, ok := Read("DescribeHandshake", "INVITE", "recipient")
	require.True(t, ok)
	assert.True(t, e.Success)
	assert.Empty(t, e.Codes, "an allowed reader gets the handshake")
	assert.NotEmpty(t, e.Source)

	e, _ = Read("DescribeHandshake", "INVITE", "member")
	assert.True(t, e.Success, "member is undecided: either answer")
	assert.Contains(t, e.Codes, "HandshakeNotFoundException")

	e, _ = Read("DescribeHandshake", "APPROVE_ALL_FEATURES", "outsider")
	assert.False(t, e.Success, "an outsider may not see a handshake")
	assert.Contains(t, e.Codes, "HandshakeNotFoundException")
	assert.Contains(t, e.Codes, "AccessDeniedException")
	assert.NotContains(t, e.Codes, "AWSOrganizationsNotInUseException", "not documented for DescribeHandshake")
	assert.False(t, Judge(e, Answer{Success: true, Status: 200}).Pass)
	assert.True(t, Judge(e, Answer{Status: 400, Code: "HandshakeNotFoundException"}).Pass)

	e, _ = Read("ListHandshakesForOrganization", "*", "member")
	assert.False(t, e.Success)
	assert.Contains(t, e.Codes, "AccessDeniedException")
	assert.Contains(t, e.Codes, "AWSOrganizationsNotInUseException")
	assert.NotContains(t, e.Codes, "HandshakeNotFoundException")

	_, ok = Read("NoSuchOperation", "INVITE", "recipient")
	assert.False(t, ok)
}

func TestEither(t *testing.T) {
	e := Either(Expectation{Success: true, Source: "a"}, Expectation{Codes: map[string][]string{"X": {"R1"}}, Source: "b"})
	assert.True(t, e.Success)
	assert.Equal(t, []string{"R1"}, e.Codes["X"])
	e = Either(e, Expectation{Codes: map[string][]string{"X": {"R2"}}})
	assert.Equal(t, []string{"R1", "R2"}, e.Codes["X"])
	e = Either(e, Errors("X"))
	assert.Nil(t, e.Codes["X"], "any Reason once one side allows any")
	assert.Equal(t, "a; b", e.Source)
	s := Either(Expectation{Success: true, State: "ACCEPTED"}, Expectation{Success: true, State: "DECLINED"})
	assert.Empty(t, s.State, "either state")
	s = Either(Expectation{Success: true, State: "ACCEPTED"}, Expectation{Success: true, State: "ACCEPTED"})
	assert.Equal(t, "ACCEPTED", s.State)
	s = Either(Errors("X"), Expectation{Success: true, State: "OPEN", Why: "w", Source: "s"})
	assert.True(t, s.Success)
	assert.Equal(t, "OPEN", s.State, "the state of the side that succeeds")
	assert.Equal(t, "w", s.Why)
	s = Either(Expectation{Success: true, State: "OPEN", Why: "w", Source: "s"}, Errors("X"))
	assert.Equal(t, "OPEN", s.State)
	s = Either(Expectation{Codes: map[string][]string{"X": nil}, Why: "w", Source: "s"}, Expectation{Codes: map[string][]string{"X": {"R"}}, Why: "w", Source: "s"})
	assert.False(t, s.Success)
	assert.Nil(t, s.Codes["X"], "any Reason once one side allows any, whichever side")
	assert.Equal(t, "w", s.Why, "the same reasoning is not repeated")
	assert.Equal(t, "s", s.Source, "the same source is not repeated")
}
