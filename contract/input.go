package contract

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// inputCase is one malformed (or boundary) HandshakeId input and the
// answers the contract allows.
type inputCase struct {
	name   string
	body   func() []byte
	expect oracle.Expectation
}

func withID(v any) func() []byte {
	return func() []byte {
		b, _ := json.Marshal(map[string]any{"HandshakeId": v})
		return b
	}
}

func raw(s string) func() []byte { return func() []byte { return []byte(s) } }

// randomAlnum returns n random characters from [0-9a-z].
func randomAlnum(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// unknownID is a well-formed HandshakeId nobody issued.
func unknownID() string { return "h-" + randomAlnum(16) }

// idSource cites the HandshakeId constraints.
const idSource = "reference: HandshakeId pattern ^h-[0-9a-z]{8,32}$, maximum length 34, required"

var invalid = oracle.Invalid

// inputCases is the table of HandshakeId inputs every handshake operation
// must refuse (or, for the well-formed boundaries, look up and not find).
var inputCases = []inputCase{
	{"missing-id", raw(`{}`), invalid("INPUT_REQUIRED").Because("HandshakeId is required")},
	{"null-id", raw(`{"HandshakeId":null}`), invalid("INPUT_REQUIRED").Because("awsJson treats null as absent")},
	{"empty-id", withID(""), invalid("INPUT_REQUIRED", "INVALID_PATTERN", "MIN_LENGTH_EXCEEDED").Because("an empty string is missing, too short or off-pattern; the reference does not say which reason")},
	{"upper-case", withID("h-ABCDEFGH12"), invalid("INVALID_PATTERN").Because("the pattern allows lower case only")},
	{"wrong-prefix", withID("x-abcdefgh12"), invalid("INVALID_PATTERN").Because("the pattern requires h-")},
	{"no-prefix", withID("abcdefgh12"), invalid("INVALID_PATTERN").Because("the pattern requires h-")},
	{"too-short", withID("h-abc1234"), invalid("INVALID_PATTERN", "MIN_LENGTH_EXCEEDED").Because("7 characters after h-, the pattern needs 8")},
	{"too-long", withID("h-" + strings.Repeat("a", 33)), invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN").Because("35 characters, the maximum is 34")},
	{"far-too-long", withID("h-" + strings.Repeat("a", 4096)), invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN").Because("4098 characters")},
	{"non-ascii", withID("h-abcdéfgh12"), invalid("INVALID_PATTERN").Because("é is not in [0-9a-z]")},
	{"inner-space", withID("h-abcd efgh12"), invalid("INVALID_PATTERN").Because("space is not in [0-9a-z]")},
	{"trailing-newline", withID("h-abcdefgh12\n"),
		oracle.Expectation{Codes: map[string][]string{"InvalidInputException": {"INVALID_PATTERN"}, "HandshakeNotFoundException": nil}}.
			Because("a regex engine whose $ matches before a final newline (Java's) lets it through to the lookup, where it is not found; both answers are plausible")},
	{"number-id", raw(`{"HandshakeId":12345678}`), invalid("INVALID_PATTERN", "INPUT_REQUIRED").Or(oracle.CatDeserialize).Because("a number where a string is modeled")},
	{"object-id", raw(`{"HandshakeId":{"Id":"h-abcdefgh12"}}`), invalid("INVALID_PATTERN", "INPUT_REQUIRED").Or(oracle.CatDeserialize).Because("an object where a string is modeled")},
	{"array-body", raw(`["h-abcdefgh12"]`), invalid("INPUT_REQUIRED").Or(oracle.CatDeserialize).Because("the body is not a JSON object")},
	{"truncated-json", raw(`{"HandshakeId": "h-abc`), oracle.Expectation{Common: []string{oracle.CatDeserialize}}.Because("the body is not JSON")},
	{"unknown-id", func() []byte { return withID(unknownID())() }, oracle.Errors("HandshakeNotFoundException").Because("well-formed but never issued")},
	{"unknown-id-min-length", func() []byte { return withID("h-" + randomAlnum(8))() }, oracle.Errors("HandshakeNotFoundException").Because("8 characters after h-: the shortest valid id")},
	{"unknown-id-max-length", func() []byte { return withID("h-" + randomAlnum(32))() }, oracle.Errors("HandshakeNotFoundException").Because("32 characters after h- (34 in all): the longest valid id")},
}

// handshakeIDOps are the operations that take a HandshakeId.
var handshakeIDOps = []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake"}

// inputChecks returns one check per operation and input case. They need no
// organization: the caller is an account in none, and a malformed input is
// refused before anyone is looked up.
func inputChecks() []check.Check {
	var out []check.Check
	for _, op := range handshakeIDOps {
		for _, c := range inputCases {
			out = append(out, check.Check{
				ID:        fmt.Sprintf("input/%s/%s", op, c.name),
				Group:     "input",
				Operation: op,
				Needs:     check.Needs{Ops: []string{op}, Principals: need{fixture.Outsider: 1}},
				Run:       func(t *check.T) { input(t, op, c) },
			})
		}
	}
	return out
}

// input sends c's body to op as an account in no organization.
func input(t *check.T, op string, c inputCase) {
	e := c.expect
	e.Source = idSource
	if _, ok := e.Codes["HandshakeNotFoundException"]; ok && op == "CancelHandshake" {
		// Only a management account cancels; one in no organization may be
		// told so before the id is looked up.
		e.Codes = maps.Clone(e.Codes)
		e.Codes["AWSOrganizationsNotInUseException"] = nil
		e.Why += "; the caller belongs to no organization, which CancelHandshake may say before looking the id up"
	}
	r := t.Send(t.Principal(fixture.Outsider), op, c.body(), e.Common...)
	t.Expect(r, e)
}
