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
// in the folder calls for: <Op>/<stem>.request.http the operation's
// request, <Op>/<stem>.response.http its response, <Op>/errors/<Name>.http
// the exception's error body.
func validateGolden(path string, body []byte) error {
	op, rest, _ := strings.Cut(path, "/")
	switch {
	case strings.HasSuffix(rest, ".request.http"):
		return schemas.ValidateRequest(op, body)
	case strings.HasSuffix(rest, ".response.http"):
		return schemas.ValidateResponse(op, body)
	default:
		name, _ := errorName(path)
		return schemas.ValidateError(name, body)
	}
}

// Every golden matches its schema, except the schema defects its
// source.json records (the documented example breaks the schema and the
// golden keeps it): those, and only those, are the validator's causes.
func TestEveryGoldenMatchesItsSchema(t *testing.T) {
	paths, err := golden.List()
	require.NoError(t, err)
	ops, err := golden.Operations()
	require.NoError(t, err)
	errorGoldens := 0
	for _, p := range paths {
		if _, ok := errorName(p); ok {
			errorGoldens++
		}
	}
	require.Equal(t, 13, errorGoldens, "AcceptHandshake's error goldens")
	require.GreaterOrEqual(t, len(paths), errorGoldens+2*len(ops), "a request and a response per operation")
	for _, p := range paths {
		m, err := golden.Read(p)
		require.NoError(t, err, p)
		err = validateGolden(p, m.Body)
		want := recordedSchemaDefects(t, p)
		if len(want) == 0 {
			assert.NoError(t, err, p)
			continue
		}
		var ve *schemas.ValidationError
		require.ErrorAs(t, err, &ve, "%s: source.json records schema defects %v but the golden validates", p, want)
		var got []string
		for _, c := range ve.Causes {
			got = append(got, c.Path+" "+c.Rule)
		}
		assert.ElementsMatch(t, want, got, "%s: the validator's causes are the recorded schema defects", p)
	}
}

// recordedSchemaDefects returns the "pointer rule" of each schema defect
// source.json records for the response golden at path (one per cause: a
// required cause naming several members is recorded once per member).
func recordedSchemaDefects(t *testing.T, path string) []string {
	op, rest, _ := strings.Cut(path, "/")
	stem, ok := strings.CutSuffix(rest, ".response.http")
	if !ok {
		return nil
	}
	src, err := golden.LoadSource(op)
	require.NoError(t, err, op)
	smp, ok := src.Sample(stem)
	require.True(t, ok, "%s/source.json has no sample %s", op, stem)
	seen := map[string]bool{}
	var out []string
	for _, d := range smp.Defects {
		if d.Kind != golden.DefectSchema {
			continue
		}
		key := d.Pointer + " " + d.Rule
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
	}
	return out
}

// A planted schema break is found in a generated golden as in the page's.
func TestMutatedExampleGoldensAreRejected(t *testing.T) {
	for _, mu := range []mutation{
		{"list with a string timestamp", "ListHandshakesForOrganization/sample.response.http",
			func(b map[string]any) {
				b["Handshakes"].([]any)[1].(map[string]any)["RequestedTimestamp"] = "2017-01-13T14:35:23.3Z"
			}, "/Handshakes/1/RequestedTimestamp", "type"},
		{"organization with an unknown feature set", "CreateOrganization/sample-consolidated-billing.response.http",
			func(b map[string]any) { b["Organization"].(map[string]any)["FeatureSet"] = "FULL" }, "/Organization/FeatureSet", "enum"},
		{"account without Id", "ListAccounts/sample.response.http",
			func(b map[string]any) { delete(b["Accounts"].([]any)[2].(map[string]any), "Id") }, "/Accounts/2", "required"},
		{"invitation to an unknown party type", "InviteAccountToOrganization/sample.request.http",
			func(b map[string]any) { b["Target"].(map[string]any)["Type"] = "PHONE" }, "/Target/Type", "enum"},
	} {
		t.Run(mu.name, func(t *testing.T) {
			assertCause(t, validateGolden(mu.file, mutated(t, mu.file, mu.edit)), mu.path, mu.rule)
		})
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
