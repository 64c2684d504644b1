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
	{"surrounding-space", withID(" h-abcdefgh12 "), invalid("INVALID_PATTERN").Because("the pattern is anchored at both ends: a well-formed id with spaces around it does not match")},
	{"trailing-junk", withID("h-abcdefgh12#x"), invalid("INVALID_PATTERN").Because("the pattern is anchored at the end: a well-formed id followed by other text does not match")},
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
	return append(out, memberInputChecks()...)
}

// memberInput is one malformed member of another operation's input: the
// ids and numbers the other operations take, each with its model
// constraint.
type memberInput struct {
	op, name string
	body     string
	expect   oracle.Expectation
}

// memberInputs are the malformed inputs of the operations beyond the four
// that take a HandshakeId: account ids, paging sizes, invitation notes,
// filter ids. Each is sent by an account in no organization: modeled
// constraints are validated before the operation runs, so the caller's
// organization does not matter.
var memberInputs = []memberInput{
	{"RemoveAccountFromOrganization", "missing-id", `{}`, invalid("INPUT_REQUIRED").Because("AccountId is required")},
	{"RemoveAccountFromOrganization", "short-id", `{"AccountId":"12345"}`, invalid("INVALID_PATTERN").Because("an account id is 12 digits (^\\d{12}$)")},
	{"RemoveAccountFromOrganization", "letters-id", `{"AccountId":"abcdefghijkl"}`, invalid("INVALID_PATTERN").Because("an account id is 12 digits (^\\d{12}$)")},
	{"RemoveAccountFromOrganization", "long-id", `{"AccountId":"1234567890123"}`, invalid("MAX_LENGTH_EXCEEDED", "INVALID_PATTERN").Because("13 digits: longer than 12 and off the pattern")},
	{"ListHandshakesForAccount", "max-results-zero", `{"MaxResults":0}`, invalid("MIN_VALUE_EXCEEDED").Because("MaxResults is at least 1")},
	{"ListHandshakesForAccount", "max-results-over-limit", `{"MaxResults":21}`, invalid("MAX_VALUE_EXCEEDED").Because("MaxResults is at most 20")},
	{"ListHandshakesForAccount", "parent-id-pattern", `{"Filter":{"ParentHandshakeId":"x-abcdefgh12"}}`, invalid("INVALID_PATTERN").Because("Filter.ParentHandshakeId is a HandshakeId")},
	{"ListHandshakesForOrganization", "max-results-zero", `{"MaxResults":0}`, invalid("MIN_VALUE_EXCEEDED").Because("MaxResults is at least 1")},
	{"ListHandshakesForOrganization", "max-results-over-limit", `{"MaxResults":21}`, invalid("MAX_VALUE_EXCEEDED").Because("MaxResults is at most 20")},
	{"ListAccounts", "max-results-zero", `{"MaxResults":0}`, invalid("MIN_VALUE_EXCEEDED").Because("MaxResults is at least 1")},
	{"ListAccounts", "max-results-over-limit", `{"MaxResults":21}`, invalid("MAX_VALUE_EXCEEDED").Because("MaxResults is at most 20")},
	{"InviteAccountToOrganization", "missing-target", `{}`, invalid("INPUT_REQUIRED").Because("Target is required")},
	{"InviteAccountToOrganization", "notes-too-long", `{"Target":{"Type":"ACCOUNT","Id":"123456789012"},"Notes":"` + strings.Repeat("n", 1025) + `"}`,
		invalid("MAX_LENGTH_EXCEEDED").Because("Notes is at most 1024 characters")},
	{"InviteAccountToOrganization", "target-type-enum", `{"Target":{"Type":"USER","Id":"123456789012"}}`,
		invalid("INVALID_ENUM", "INVALID_PARTY_TYPE_TARGET").Because("Target.Type is ACCOUNT, ORGANIZATION or EMAIL (HandshakePartyType); the model names INVALID_PARTY_TYPE_TARGET for a target of the wrong type")},
}

// memberInputChecks returns one check per entry of memberInputs.
func memberInputChecks() []check.Check {
	var out []check.Check
	for _, c := range memberInputs {
		out = append(out, check.Check{
			ID:        fmt.Sprintf("input/%s/%s", c.op, c.name),
			Group:     "input",
			Operation: c.op,
			Needs:     check.Needs{Ops: []string{c.op}, Principals: need{fixture.Outsider: 1}},
			Run: func(t *check.T) {
				e := c.expect
				e.Source = "model: the member constraints of " + c.op + " (schemas/" + c.op + "/request.schema.json)"
				p := t.Principal(fixture.Outsider)
				r := t.Send(p, c.op, []byte(c.body))
				if h, err := oracle.DecodeHandshake(r.Body); r.OK() && err == nil {
					fixture.CancelLater(t, p, h.Id) // a broken invitation that was sent
				}
				t.Expect(r, e)
			},
		})
	}
	return out
}

// input sends c's body to op as an account in no organization.
func input(t *check.T, op string, c inputCase) {
	e := c.expect
	e.Source = idSource
	if _, ok := e.Codes["HandshakeNotFoundException"]; ok && op == "CancelHandshake" {
		// Only a sender (a management account) cancels; a caller that
		// manages no organization may be refused before the id is looked
		// up. CancelHandshake documents AccessDeniedException for that, not
		// AWSOrganizationsNotInUseException.
		e.Codes = maps.Clone(e.Codes)
		e.Codes["AccessDeniedException"] = nil
		e.Why += "; the caller manages no organization, and CancelHandshake may deny it before looking the id up (it documents AccessDeniedException)"
	}
	r := t.Send(t.Principal(fixture.Outsider), op, c.body(), e.Common...)
	t.Expect(r, e)
}
