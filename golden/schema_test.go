package golden_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/schemas"
)

// validateGolden validates the golden at path against the schema its place
// in the folder calls for.
func validateGolden(path string, body []byte) error {
	op, rest, _ := strings.Cut(path, "/")
	switch {
	case rest == "sample.request.http":
		return schemas.ValidateRequest(op, body)
	case rest == "sample.response.http":
		return schemas.ValidateResponse(op, body)
	default:
		name, _ := errorName(path)
		return schemas.ValidateError(name, body)
	}
}

func TestEveryGoldenMatchesItsSchema(t *testing.T) {
	paths, err := golden.List()
	require.NoError(t, err)
	require.Len(t, paths, 15)
	for _, p := range paths {
		m, err := golden.Read(p)
		require.NoError(t, err, p)
		assert.NoError(t, validateGolden(p, m.Body), p)
	}
}

// Error goldens name their own exception: validated as another exception
// they fail on /__type.
func TestErrorGoldenAgainstAnotherExceptionFails(t *testing.T) {
	m, err := golden.Read("AcceptHandshake/errors/HandshakeNotFoundException.http")
	require.NoError(t, err)
	assertCause(t, schemas.ValidateError("InvalidInputException", m.Body), "/__type", "pattern")
}

// mutation changes a decoded golden body.
type mutation struct {
	name string
	file string
	edit func(body map[string]any)
	path string // expected cause path
	rule string // expected cause rule
}

func handshake(b map[string]any) map[string]any { return b["Handshake"].(map[string]any) }

var mutations = []mutation{
	{"request id one character short", "AcceptHandshake/sample.request.http",
		func(b map[string]any) { b["HandshakeId"] = "h-1234567" }, "/HandshakeId", "pattern"},
	{"request id upper case", "AcceptHandshake/sample.request.http",
		func(b map[string]any) { b["HandshakeId"] = "h-EXAMPLEHANDSHAKEID111" }, "/HandshakeId", "pattern"},
	{"request id 35 characters", "AcceptHandshake/sample.request.http",
		func(b map[string]any) { b["HandshakeId"] = "h-" + strings.Repeat("a", 33) }, "/HandshakeId", "maxLength"},
	{"request id missing", "AcceptHandshake/sample.request.http",
		func(b map[string]any) { delete(b, "HandshakeId") }, "", "required"},
	{"request id a number", "AcceptHandshake/sample.request.http",
		func(b map[string]any) { b["HandshakeId"] = 12345678 }, "/HandshakeId", "type"},
	{"response id one character short", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["Id"] = "h-1234567" }, "/Handshake/Id", "pattern"},
	{"response id upper case", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["Id"] = "h-ABCDEFGH" }, "/Handshake/Id", "pattern"},
	{"response id 35 characters", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["Id"] = "h-" + strings.Repeat("0", 33) }, "/Handshake/Id", "maxLength"},
	{"missing State", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { delete(handshake(b), "State") }, "/Handshake", "required"},
	{"unknown State", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["State"] = "PENDING" }, "/Handshake/State", "enum"},
	{"string timestamp", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["RequestedTimestamp"] = "2016-12-13T19:14:19Z" }, "/Handshake/RequestedTimestamp", "type"},
	{"unknown Action", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["Action"] = "INVITATION" }, "/Handshake/Action", "enum"},
	{"bad ARN", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { handshake(b)["Arn"] = "arn:aws:organizations::1111:handshake/x" }, "/Handshake/Arn", "pattern"},
	{"party without Type", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { delete(handshake(b)["Parties"].([]any)[1].(map[string]any), "Type") }, "/Handshake/Parties/1", "required"},
	{"nested resource with an unknown Type", "AcceptHandshake/sample.response.http",
		func(b map[string]any) {
			r := handshake(b)["Resources"].([]any)[0].(map[string]any)["Resources"].([]any)[1].(map[string]any)
			r["Type"] = "OWNER_NAME"
		}, "/Handshake/Resources/0/Resources/1/Type", "enum"},
	{"missing Handshake", "AcceptHandshake/sample.response.http",
		func(b map[string]any) { delete(b, "Handshake") }, "", "required"},
	{"InvalidInput reason not a reason", "AcceptHandshake/errors/InvalidInputException.http",
		func(b map[string]any) { b["Reason"] = "NOT_A_REASON" }, "/Reason", "enum"},
	{"InvalidInput with a HandshakeConstraintViolation reason", "AcceptHandshake/errors/InvalidInputException.http",
		func(b map[string]any) { b["Reason"] = "ALREADY_IN_AN_ORGANIZATION" }, "/Reason", "enum"},
	{"InvalidInput with a ConstraintViolation reason", "AcceptHandshake/errors/InvalidInputException.http",
		func(b map[string]any) { b["Reason"] = "ACCOUNT_CANNOT_LEAVE_ORGANIZATION" }, "/Reason", "enum"},
	{"HandshakeConstraintViolation with an InvalidInput reason", "AcceptHandshake/errors/HandshakeConstraintViolationException.http",
		func(b map[string]any) { b["Reason"] = "INVALID_PATTERN" }, "/Reason", "enum"},
	{"error without __type", "AcceptHandshake/errors/HandshakeNotFoundException.http",
		func(b map[string]any) { delete(b, "__type") }, "", "required"},
	{"__type naming another exception", "AcceptHandshake/errors/HandshakeNotFoundException.http",
		func(b map[string]any) { b["__type"] = "HandshakeNotFoundExceptionX" }, "/__type", "pattern"},
	{"numeric Message", "AcceptHandshake/errors/HandshakeNotFoundException.http",
		func(b map[string]any) { b["Message"] = 404 }, "/Message", "type"},
}

func TestMutatedGoldensAreRejected(t *testing.T) {
	for _, mu := range mutations {
		t.Run(mu.name, func(t *testing.T) {
			assertCause(t, validateGolden(mu.file, mutated(t, mu.file, mu.edit)), mu.path, mu.rule)
		})
	}
}

// Mutations a real client tolerates are accepted.
func TestTolerableMutationsAreAccepted(t *testing.T) {
	tolerable := []mutation{
		{name: "unknown extra member", file: "AcceptHandshake/sample.response.http",
			edit: func(b map[string]any) { handshake(b)["FutureMember"] = map[string]any{"x": 1} }},
		{name: "integer timestamp", file: "AcceptHandshake/sample.response.http",
			edit: func(b map[string]any) { handshake(b)["RequestedTimestamp"] = 1481656459 }},
		{name: "model-only State", file: "AcceptHandshake/sample.response.http",
			edit: func(b map[string]any) { handshake(b)["State"] = "OPEN" }},
		{name: "lower-case message", file: "AcceptHandshake/errors/HandshakeNotFoundException.http",
			edit: func(b map[string]any) { b["message"] = b["Message"]; delete(b, "Message") }},
		{name: "__type with Smithy namespace", file: "AcceptHandshake/errors/HandshakeNotFoundException.http",
			edit: func(b map[string]any) { b["__type"] = "com.amazonaws.organizations#HandshakeNotFoundException" }},
		{name: "__type with short namespace", file: "AcceptHandshake/errors/HandshakeNotFoundException.http",
			edit: func(b map[string]any) { b["__type"] = "aws.organizations#HandshakeNotFoundException" }},
		{name: "__type with suffix", file: "AcceptHandshake/errors/HandshakeNotFoundException.http",
			edit: func(b map[string]any) {
				b["__type"] = "HandshakeNotFoundException:http://internal.amazon.com/coral/com.amazonaws.organizations/"
			}},
		{name: "__type with namespace and suffix", file: "AcceptHandshake/errors/HandshakeNotFoundException.http",
			edit: func(b map[string]any) {
				b["__type"] = "com.amazonaws.organizations#HandshakeNotFoundException:http://internal.amazon.com/"
			}},
	}
	for _, mu := range tolerable {
		t.Run(mu.name, func(t *testing.T) {
			assert.NoError(t, validateGolden(mu.file, mutated(t, mu.file, mu.edit)))
		})
	}
}

func TestNonJSONBodyIsAClearError(t *testing.T) {
	err := schemas.ValidateResponse("AcceptHandshake", []byte("<html>503</html>"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, schemas.ErrNotJSON), err.Error())
	var ve *schemas.ValidationError
	assert.False(t, errors.As(err, &ve))
}

// assertCause asserts err is a *schemas.ValidationError with a cause at path
// for rule, whose one-line rendering names both.
func assertCause(t *testing.T, err error, path, rule string) {
	t.Helper()
	var ve *schemas.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has(path, rule), "want cause %q %q, got:\n%v", path, rule, err)
	for _, c := range ve.Causes {
		if c.Path == path && c.Rule == rule {
			assert.Contains(t, err.Error(), c.String())
			assert.NotEmpty(t, c.Value)
			assert.NotEmpty(t, c.Message)
		}
	}
}

// mutated returns the body of the golden file with edit applied.
func mutated(t *testing.T, file string, edit func(map[string]any)) []byte {
	t.Helper()
	m, err := golden.Read(file)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(m.Body, &body))
	edit(body)
	data, err := json.Marshal(body)
	require.NoError(t, err)
	return data
}
