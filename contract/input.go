package contract

import (
	"encoding/json"
	"fmt"
	"strings"
)

// inputCase is one malformed (or boundary) HandshakeId input and the answers
// the contract allows.
type inputCase struct {
	name   string
	body   func(known string) []byte // known is a fresh, well-formed, unknown id
	expect expectation
	why    string
}

func invalid(reasons ...string) expectation {
	return expectation{Codes: map[string][]string{"InvalidInputException": reasons}}
}

func withID(v any) func(string) []byte {
	return func(string) []byte {
		b, _ := json.Marshal(map[string]any{"HandshakeId": v})
		return b
	}
}

func raw(s string) func(string) []byte { return func(string) []byte { return []byte(s) } }

// inputCases is the table of HandshakeId inputs every handshake operation
// must refuse (or, for the well-formed boundaries, look up and not find).
var inputCases = []inputCase{
	{"missing-id", raw(`{}`), invalid("INPUT_REQUIRED"), "HandshakeId is required (reference)"},
	{"null-id", raw(`{"HandshakeId":null}`), invalid("INPUT_REQUIRED"), "awsJson treats null as absent"},
	{"empty-id", withID(""), invalid("INPUT_REQUIRED", "INVALID_PATTERN", "MIN_LENGTH_EXCEEDED"), "an empty string is missing, too short or off-pattern; the reference does not say which reason"},
	{"upper-case", withID("h-ABCDEFGH12"), invalid("INVALID_PATTERN"), "the pattern allows lower case only"},
	{"wrong-prefix", withID("x-abcdefgh12"), invalid("INVALID_PATTERN"), "the pattern requires h-"},
	{"no-prefix", withID("abcdefgh12"), invalid("INVALID_PATTERN"), "the pattern requires h-"},
	{"too-short", withID("h-abc1234"), invalid("INVALID_PATTERN", "MIN_LENGTH_EXCEEDED"), "7 characters after h-, the pattern needs 8"},
	{"too-long", withID("h-" + strings.Repeat("a", 33)), invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN"), "35 characters, the maximum is 34"},
	{"far-too-long", withID("h-" + strings.Repeat("a", 4096)), invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN"), "4098 characters"},
	{"non-ascii", withID("h-abcdéfgh12"), invalid("INVALID_PATTERN"), "é is not in [0-9a-z]"},
	{"inner-space", withID("h-abcd efgh12"), invalid("INVALID_PATTERN"), "space is not in [0-9a-z]"},
	{"trailing-newline", withID("h-abcdefgh12\n"),
		expectation{Codes: map[string][]string{"InvalidInputException": {"INVALID_PATTERN"}, "HandshakeNotFoundException": nil}},
		"a regex engine whose $ matches before a final newline (Java's) lets it through to the lookup, where it is not found; both answers are plausible"},
	{"number-id", raw(`{"HandshakeId":12345678}`), expectation{Codes: map[string][]string{"InvalidInputException": {"INVALID_PATTERN", "INPUT_REQUIRED"}}, Common: []string{catDeserialize}}, "a number where a string is modeled"},
	{"object-id", raw(`{"HandshakeId":{"Id":"h-abcdefgh12"}}`), expectation{Codes: map[string][]string{"InvalidInputException": {"INVALID_PATTERN", "INPUT_REQUIRED"}}, Common: []string{catDeserialize}}, "an object where a string is modeled"},
	{"array-body", raw(`["h-abcdefgh12"]`), expectation{Codes: map[string][]string{"InvalidInputException": {"INPUT_REQUIRED"}}, Common: []string{catDeserialize}}, "the body is not a JSON object"},
	{"truncated-json", raw(`{"HandshakeId": "h-abc`), expectation{Common: []string{catDeserialize}}, "the body is not JSON"},
	{"unknown-id", func(id string) []byte { return withID(id)(id) }, expectation{Codes: codes("HandshakeNotFoundException")}, "well-formed but never issued"},
	{"unknown-id-min-length", func(string) []byte { return withID("h-" + randomAlnum(8))("") }, expectation{Codes: codes("HandshakeNotFoundException")}, "8 characters after h-: the shortest valid id"},
	{"unknown-id-max-length", func(string) []byte { return withID("h-" + randomAlnum(32))("") }, expectation{Codes: codes("HandshakeNotFoundException")}, "32 characters after h- (34 in all): the longest valid id"},
}

// handshakeIDOps are the operations that take a HandshakeId.
var handshakeIDOps = []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake"}

// inputChecks returns one check per operation and input case.
func inputChecks() []Check {
	var out []Check
	for _, op := range handshakeIDOps {
		for _, c := range inputCases {
			out = append(out, Check{
				ID:        fmt.Sprintf("input/%s/%s", op, c.name),
				Group:     "input",
				Operation: op,
				Needs:     []string{"CreateOrganization", op},
				run:       func(t *T) { t.input(op, c) },
			})
		}
	}
	return out
}

// input sends c's body to op as the management account of a fresh
// organization (so that no membership rule muddies the answer).
func (t *T) input(op string, c inputCase) {
	o := t.newOrg("ALL")
	r := t.send(o.mgmt, op, c.body("h-"+randomAlnum(16)), c.expect.Common...)
	e := c.expect
	e.Why = c.why
	t.judgeError(r, e)
}
