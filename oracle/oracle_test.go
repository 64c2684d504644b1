package oracle

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJudge(t *testing.T) {
	notFound := Errors("HandshakeNotFoundException")
	for _, c := range []struct {
		name string
		e    Expectation
		a    Answer
		pass bool
		inc  bool
		obs  string
	}{
		{"documented error", notFound, Answer{Status: 400, Code: "HandshakeNotFoundException"}, true, false, ""},
		{"model status", notFound, Answer{Status: 404, Code: "HandshakeNotFoundException"}, true, false, ""},
		{"wrong status", notFound, Answer{Status: 500, Code: "HandshakeNotFoundException"}, false, false, "HandshakeNotFoundException with HTTP 500"},
		{"other error", notFound, Answer{Status: 400, Code: "AccessDeniedException", Summary: "400 AccessDeniedException"}, false, false, "400 AccessDeniedException"},
		{"success where an error is due", notFound, Answer{Success: true, Status: 200}, false, false, "success (HTTP 200)"},
		{"reason allowed", Invalid("INVALID_PATTERN"), Answer{Status: 400, Code: "InvalidInputException", Reason: "INVALID_PATTERN"}, true, false, ""},
		{"reason wrong", Invalid("INVALID_PATTERN"), Answer{Status: 400, Code: "InvalidInputException", Reason: "INPUT_REQUIRED"}, false, false, `InvalidInputException with Reason "INPUT_REQUIRED"`},
		{"reason missing", Invalid("INVALID_PATTERN"), Answer{Status: 400, Code: "InvalidInputException"}, false, false, `InvalidInputException with Reason ""`},
		{"common category", Invalid().Or(CatDeserialize), Answer{Status: 400, Code: "SerializationException"}, true, false, ""},
		{"common not accepted", Invalid(), Answer{Status: 400, Code: "SerializationException", Summary: "400 SerializationException"}, false, false, "400 SerializationException"},
		{"throttled is inconclusive", notFound, Answer{Status: 400, Code: "ThrottlingException", Summary: "400 ThrottlingException"}, false, true, "400 ThrottlingException"},
		{"internal is inconclusive", notFound, Answer{Status: 500, Code: "ServiceException", Summary: "500 ServiceException"}, false, true, "500 ServiceException"},
		{"no code", notFound, Answer{Status: 500, Summary: "500 non-json: <html>"}, false, false, "500 non-json: <html>"},
		{"success to state", Expectation{Success: true, State: "ACCEPTED"}, Answer{Success: true, State: "ACCEPTED", Status: 200}, true, false, ""},
		{"success to wrong state", Expectation{Success: true, State: "ACCEPTED"}, Answer{Success: true, State: "OPEN", Status: 200}, false, false, "success with the handshake OPEN"},
		{"success without a state", Expectation{Success: true, State: "ACCEPTED"}, Answer{Success: true, Status: 200}, false, false, "success with the handshake without a State"},
	} {
		v := Judge(c.e, c.a)
		assert.Equal(t, c.pass, v.Pass, c.name)
		assert.Equal(t, c.inc, v.Inconclusive, c.name)
		assert.Equal(t, c.obs, v.Observed, c.name)
		assert.NotEmpty(t, v.Expected, c.name)
	}
}

func TestExpectationString(t *testing.T) {
	e := Expectation{Codes: map[string][]string{"InvalidInputException": {"INVALID_PATTERN", "MAX_LENGTH_EXCEEDED"}, "HandshakeNotFoundException": nil}}.Because("35 characters")
	assert.Equal(t, "HTTP error HandshakeNotFoundException, or InvalidInputException (Reason INVALID_PATTERN or MAX_LENGTH_EXCEEDED) — 35 characters", e.String())
	assert.Contains(t, Expectation{Common: []string{CatAuth}}.String(), "MissingAuthenticationTokenException")
	assert.Equal(t, "success with the handshake ACCEPTED", Expectation{Success: true, State: "ACCEPTED"}.String())
}

func TestTransitionReadsTheTable(t *testing.T) {
	e, ok := Transition("INVITE", "OPEN", "AcceptHandshake", "recipient")
	require.True(t, ok)
	assert.True(t, e.Success)
	assert.Equal(t, "ACCEPTED", e.State)
	assert.True(t, Judge(e, Answer{Success: true, State: "ACCEPTED", Status: 200}).Pass)

	e, ok = Transition("INVITE", "ACCEPTED", "AcceptHandshake", "recipient")
	require.True(t, ok)
	assert.False(t, e.Success)
	assert.Contains(t, e.Codes, "HandshakeAlreadyInStateException")
	assert.NotEmpty(t, e.Source)
	assert.False(t, Judge(e, Answer{Success: true, State: "ACCEPTED", Status: 200}).Pass, "accepting twice must fail")

	_, ok = Transition("INVITE", "OPEN", "NoSuchOperation", "recipient")
	assert.False(t, ok)
	for _, row := range Transitions() {
		e := FromRow(row)
		assert.True(t, e.Success || len(e.Codes) > 0, "%+v", row)
	}
}

func TestShape(t *testing.T) {
	good := Handshake{Id: "h-abcdefgh12", Arn: "arn:aws:organizations::111111111111:handshake/o-abcdefghij/invite/h-abcdefgh12",
		State: "OPEN", Action: "INVITE", Parties: []Party{{Id: "o-abcdefghij", Type: "ORGANIZATION"}},
		RequestedTimestamp: json.RawMessage("1481656459.257"), ExpirationTimestamp: json.RawMessage("1482952459.257")}
	assert.Empty(t, Shape(good))
	bad := good
	bad.Id, bad.State, bad.ExpirationTimestamp = "h-ABC", "DONE", json.RawMessage(`"2016-12-28"`)
	bad.Parties = []Party{{Id: "x", Type: "PERSON"}}
	problems := Shape(bad)
	assert.Len(t, problems, 5, "%v", problems) // Id, Arn/Id mismatch, State, party type, timestamps
	late := good
	late.RequestedTimestamp = json.RawMessage("1482952459.257")
	assert.Len(t, Shape(late), 1)
}

func TestDecode(t *testing.T) {
	h, err := DecodeHandshake([]byte(`{"Handshake":{"Id":"h-abcdefgh12","State":"OPEN"}}`))
	require.NoError(t, err)
	assert.Equal(t, "OPEN", h.State)
	_, err = DecodeHandshake([]byte(`{"Other":{}}`))
	assert.Error(t, err)
	_, err = DecodeHandshake([]byte(`{"Handshake":`))
	assert.Error(t, err)
	list, next, err := DecodeHandshakes([]byte(`{"Handshakes":[{"Id":"h-1"},{"Id":"h-2"}],"NextToken":"t"}`))
	require.NoError(t, err)
	assert.Len(t, list, 2)
	assert.Equal(t, "t", next)
}

func TestDocumented(t *testing.T) {
	assert.True(t, Documented("AcceptHandshake", "HandshakeNotFoundException", nil))
	assert.False(t, Documented("AcceptHandshake", "OrganizationNotEmptyException", nil))
	assert.True(t, Documented("AcceptHandshake", "SerializationException", []string{CatDeserialize}))
	assert.False(t, Documented("AcceptHandshake", "SerializationException", nil))
	assert.True(t, Documented("AcceptHandshake", "ThrottlingException", nil), "transient errors are never undocumented")
	assert.NotEmpty(t, Reasons("InvalidInputException"))
	assert.Nil(t, Reasons("HandshakeNotFoundException"))
}

func TestUnknownMembers(t *testing.T) {
	body := []byte(`{"Handshake":{"Id":"h-1","Parties":[{"Id":"x","Type":"ACCOUNT","Extra":1}],"Resources":[{"Type":"NOTES","Value":"v","Resources":[{"Type":"T","Value":"v","Deep":true}]}],"NewMember":2},"Top":3}`)
	assert.Equal(t, []string{"Handshake.NewMember", "Handshake.Parties[].Extra", "Handshake.Resources[].Resources[].Deep", "Top"}, UnknownMembers("AcceptHandshake", body))
	assert.Empty(t, UnknownMembers("AcceptHandshake", []byte(`{"Handshake":{"Id":"h-1","State":"OPEN"}}`)))
	assert.Empty(t, UnknownMembers("ListAccounts", []byte(`{"Accounts":[{"Id":"1","Email":"e","State":"ACTIVE"}],"NextToken":"t"}`)))
	assert.Nil(t, UnknownMembers("NoSuchOperation", []byte(`{}`)))
}

func TestJudgeAcceptsEquivalentReasonNames(t *testing.T) {
	e := Invalid("INVALID_NEXT_TOKEN")
	assert.True(t, Judge(e, Answer{Status: 400, Code: "InvalidInputException", Reason: "INVALID_NEXT_TOKEN"}).Pass)
	assert.True(t, Judge(e, Answer{Status: 400, Code: "InvalidInputException", Reason: "INVALID_PAGINATION_TOKEN"}).Pass, "the documentation's older name of the same value")
	assert.False(t, Judge(e, Answer{Status: 400, Code: "InvalidInputException", Reason: "INVALID_PATTERN"}).Pass)
}

func TestTransitionReasons(t *testing.T) {
	e, ok := Transition("INVITE", "OPEN", "AcceptHandshake", "sender")
	require.True(t, ok)
	require.Contains(t, e.Codes, "HandshakeConstraintViolationException")
	assert.Equal(t, []string{"ALREADY_IN_AN_ORGANIZATION"}, e.Codes["HandshakeConstraintViolationException"])
	assert.True(t, Judge(e, Answer{Status: 400, Code: "HandshakeConstraintViolationException", Reason: "ALREADY_IN_AN_ORGANIZATION"}).Pass)
	assert.False(t, Judge(e, Answer{Status: 400, Code: "HandshakeConstraintViolationException", Reason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}).Pass)
	auth := Expectation{Common: []string{CatAuth}}
	assert.True(t, Judge(auth, Answer{Status: 400, Code: "MissingAuthenticationTokenException"}).Pass, "awsJson services answer 400 too")
	assert.True(t, Judge(auth, Answer{Status: 403, Code: "MissingAuthenticationTokenException"}).Pass)
}

func TestFromOrganization(t *testing.T) {
	h := Handshake{Parties: []Party{{Id: "abcdefghij", Type: "ORGANIZATION"}}}
	assert.True(t, h.FromOrganization("o-abcdefghij"), "the guide's transcripts drop the o- prefix")
	h.Parties[0].Id = "o-abcdefghij"
	assert.True(t, h.FromOrganization("o-abcdefghij"))
	assert.False(t, h.FromOrganization("o-other00000"))
	h.Parties[0].Type = "ACCOUNT"
	assert.False(t, h.FromOrganization("o-abcdefghij"))
}

func TestValidIDAtItsLimits(t *testing.T) {
	assert.True(t, ValidID("h-"+strings.Repeat("a", 32)), "34 characters: the longest valid id")
	assert.True(t, ValidID("h-"+strings.Repeat("a", 8)), "the shortest")
	assert.False(t, ValidID("h-"+strings.Repeat("a", 33)))
	assert.False(t, ValidID("h-"+strings.Repeat("a", 7)))
}

func TestShapeTimestampsAtTheBoundary(t *testing.T) {
	h := Handshake{Id: "h-abcdefgh12", Arn: "arn:aws:organizations::111111111111:handshake/o-abcdefghij/invite/h-abcdefgh12",
		State: "OPEN", Action: "INVITE", RequestedTimestamp: json.RawMessage("1.5"), ExpirationTimestamp: json.RawMessage("1.5")}
	assert.Equal(t, []string{"RequestedTimestamp 1.5 is not before ExpirationTimestamp 1.5"}, Shape(h))
}

func TestResourceAndCitation(t *testing.T) {
	h := Handshake{Resources: []Resource{{Type: "ORGANIZATION", Value: "o-1"}, {Type: "ACCOUNT", Value: "2"}}}
	r, ok := h.Resource("ACCOUNT")
	assert.True(t, ok)
	assert.Equal(t, "2", r.Value)
	_, ok = h.Resource("NOTES")
	assert.False(t, ok)
	assert.Equal(t, "model", Citation("model", ""))
	assert.Equal(t, "reference: a sentence", Citation("reference", "a sentence"))
}

func TestSuccessWithoutAStateRequirement(t *testing.T) {
	e := Expectation{Success: true}
	assert.True(t, Judge(e, Answer{Success: true, Status: 200}).Pass, "a success with no state to check")
	assert.True(t, Judge(e, Answer{Success: true, State: "OPEN", Status: 200}).Pass)
}
