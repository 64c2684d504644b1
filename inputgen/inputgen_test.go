package inputgen

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

// allOps is every operation of specs/operations.json.
func allOps(t *testing.T) []string {
	ops, err := Operations()
	require.NoError(t, err)
	require.NotEmpty(t, ops)
	return ops
}

func TestEveryOperationLoads(t *testing.T) {
	for _, op := range allOps(t) {
		o, err := For(op)
		require.NoError(t, err, op)
		assert.Equal(t, "object", o.Root().Type, op)
		assert.Contains(t, o.Kinds(), KindType, op)
		assert.Contains(t, o.Kinds(), KindUnknownMember, op)
	}
	_, err := For("NoSuchOperation")
	assert.ErrorContains(t, err, "not an operation")
}

// TestKindsFollowTheSchemas pins which constraints the schemas give each
// handshake operation, so that a schema change shows up here.
func TestKindsFollowTheSchemas(t *testing.T) {
	for op, want := range map[string][]Kind{
		"AcceptHandshake":             {KindType, KindUnknownMember, KindRequired, KindPattern, KindMaxLength},
		"InviteAccountToOrganization": {KindType, KindUnknownMember, KindRequired, KindPattern, KindMinLength, KindMaxLength, KindEnum},
		"ListHandshakesForAccount":    {KindType, KindUnknownMember, KindExclusive, KindEnum, KindPattern, KindMaxLength, KindMinimum, KindMaximum},
		"DescribeOrganization":        {KindType, KindUnknownMember},
	} {
		o, err := For(op)
		require.NoError(t, err)
		assert.ElementsMatch(t, want, o.Kinds(), op)
	}
}

func TestValidBodiesValidate(t *testing.T) {
	for _, op := range allOps(t) {
		t.Run(op, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				body := Valid(op).Draw(t, "body")
				if err := schemas.ValidateRequest(op, body); err != nil {
					t.Fatalf("valid body refused by the schema: %v", err)
				}
				j, err := Judge(op, body)
				if err != nil {
					t.Fatal(err)
				}
				if !j.Valid || !j.Expect.SameAsValid || len(j.Broken) > 0 {
					t.Fatalf("Judge calls a valid body broken: %+v", j)
				}
			})
		})
	}
}

// schemaRule is the JSON Schema keyword a kind of constraint fails, and
// whether the validator reports it at the member's parent object.
var schemaRule = map[Kind]struct {
	rule     string
	atParent bool
}{
	KindPattern: {"pattern", false}, KindMinLength: {"minLength", false}, KindMaxLength: {"maxLength", false},
	KindMinimum: {"minimum", false}, KindMaximum: {"maximum", false}, KindEnum: {"enum", false},
	KindRequired: {"required", true}, KindType: {"type", false}, KindExclusive: {"not", false},
}

// pointer turns a dotted path into the validator's JSON Pointer.
func pointer(path string) string {
	if path == "" {
		return ""
	}
	var b strings.Builder
	for _, p := range splitPath(path) {
		b.WriteString("/" + p.name)
		if p.index >= 0 {
			b.WriteString("/" + strconv.Itoa(p.index))
		}
	}
	return b.String()
}

func parent(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// causeOf returns where and how the schema validator reports c.
func causeOf(c Constraint) (string, string) {
	r := schemaRule[c.Kind]
	if c.Kind == KindRequired && c.Variant == "null" {
		return pointer(c.Path), "type" // the schemas do not read null as absent
	}
	if r.atParent {
		return pointer(parent(c.Path)), r.rule
	}
	return pointer(c.Path), r.rule
}

func TestBrokenBodiesBreakExactlyTheirConstraint(t *testing.T) {
	c := specs.Must()
	reasons, _ := c.Enum(invalidInputReason)
	deserialize := c.CommonErrorsFor("deserialize")
	for _, op := range allOps(t) {
		spec, _ := c.Operation(op)
		t.Run(op, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				k := Broken(op).Draw(t, "case")
				err := schemas.ValidateRequest(op, k.Body)
				if k.Constraint.Kind == KindUnknownMember {
					if err != nil {
						t.Fatalf("%s: the schema refuses an unknown member: %v", k, err)
					}
					if !k.Expect.SameAsValid || k.Expect.Codes != nil {
						t.Fatalf("%s: an unknown member must get what the valid request gets, expectation %s", k, k.Expect)
					}
					return
				}
				if errors.Is(err, schemas.ErrNotJSON) {
					if k.Constraint.Kind != KindType || k.Constraint.Path != "" {
						t.Fatalf("%s: not JSON, but the case says it breaks %s", k, k.Constraint)
					}
				} else {
					var ve *schemas.ValidationError
					if !errors.As(err, &ve) {
						t.Fatalf("%s: the schema accepts the broken body (err %v)", k, err)
					}
					// Every failure the validator reports is the named
					// constraint or one the case lists in Also.
					named := append([]Constraint{k.Constraint}, k.Also...)
					var want [][2]string
					for _, n := range named {
						p, r := causeOf(n)
						want = append(want, [2]string{p, r})
					}
					if p, r := causeOf(k.Constraint); !ve.Has(p, r) {
						t.Fatalf("%s: the validator does not report %s at %q: %v", k, r, p, ve)
					}
					for _, cause := range ve.Causes {
						if !slices.Contains(want, [2]string{cause.Path, cause.Rule}) {
							t.Fatalf("%s: the body also breaks %s at %q, which the case does not list", k, cause.Rule, cause.Path)
						}
					}
				}
				// The expectation: documented, from specs, and fitting the kind.
				if len(k.Expect.Codes) == 0 {
					t.Fatalf("%s: a broken body without an expected error", k)
				}
				for code, rs := range k.Expect.Codes {
					if !spec.Documents(code) && !slices.Contains(deserialize, code) {
						t.Fatalf("%s: expects %s, which %s does not document", k, code, op)
					}
					for _, r := range rs {
						if !reasons.Has(r) {
							t.Fatalf("%s: reason %s is not a conforming InvalidInputExceptionReason", k, r)
						}
					}
				}
				switch k.Constraint.Kind {
				case KindType:
					for _, code := range deserialize {
						if _, ok := k.Expect.Codes[code]; !ok {
							t.Fatalf("%s: a wrong type must allow %s, expectation %s", k, code, k.Expect)
						}
					}
				default:
					want := answers[k.Constraint.Kind].reasons[0]
					if !k.Expect.Allows(invalidInput, want) {
						t.Fatalf("%s: expectation %s does not allow %s %s", k, k.Expect, invalidInput, want)
					}
				}
				for _, a := range k.Also {
					if a.Kind != KindType && !k.Expect.Allows(invalidInput, answers[a.Kind].reasons[0]) {
						t.Fatalf("%s: also breaks %s, but the expectation %s does not allow its reason", k, a, k.Expect)
					}
				}
				if k.Expect.Why == "" || k.Expect.Source == "" {
					t.Fatalf("%s: expectation without reasoning or source: %+v", k, k.Expect)
				}
				if schemas.ValidateRequest(op, k.Valid) != nil && !k.Expect.SameAsValid {
					t.Fatalf("%s: the valid body it was made from is not valid: %s", k, k.Valid)
				}
			})
		})
	}
}

// TestBrokenCoversEveryKind draws until every kind of constraint each
// operation has was broken at least once.
func TestBrokenCoversEveryKind(t *testing.T) {
	for _, op := range allOps(t) {
		o, err := For(op)
		require.NoError(t, err)
		seen := map[Kind]bool{}
		g := o.Broken()
		for seed := 0; seed < 400 && len(seen) < len(o.Kinds()); seed++ {
			seen[g.Example(seed).Constraint.Kind] = true
		}
		for _, k := range o.Kinds() {
			assert.True(t, seen[k], "%s: no case broke %s in 400 examples", op, k)
		}
	}
}

func TestAnswerTable(t *testing.T) {
	reasons, _ := specs.Must().Enum(invalidInputReason)
	// The model's name for "only one filter", and every name specs gives it.
	filterReasons := reasons.Equivalents("MAX_LIMIT_EXCEEDED_FILTER")
	for _, c := range []struct {
		op, body string
		code     string
		reasons  []string
		same     bool
	}{
		{"AcceptHandshake", `{"HandshakeId":"h-abcdefgh"}`, "", nil, true},
		{"AcceptHandshake", `{}`, "InvalidInputException", []string{"INPUT_REQUIRED"}, false},
		{"AcceptHandshake", `{"HandshakeId":null}`, "InvalidInputException", []string{"INPUT_REQUIRED"}, false},
		{"AcceptHandshake", `{"HandshakeId":""}`, "InvalidInputException", []string{"INVALID_PATTERN", "MIN_LENGTH_EXCEEDED", "INPUT_REQUIRED"}, false},
		{"AcceptHandshake", `{"HandshakeId":"h-ABCDEFGH"}`, "InvalidInputException", []string{"INVALID_PATTERN"}, false},
		{"AcceptHandshake", `{"HandshakeId":"h-abc1234"}`, "InvalidInputException", []string{"INVALID_PATTERN", "MIN_LENGTH_EXCEEDED"}, false},
		{"AcceptHandshake", `{"HandshakeId":"h-` + strings.Repeat("a", 33) + `"}`, "InvalidInputException", []string{"MAX_LENGTH_EXCEEDED", "INVALID_PATTERN"}, false},
		{"AcceptHandshake", `{"HandshakeId":"h-abcdefgh\n"}`, "InvalidInputException", []string{"INVALID_PATTERN"}, true},
		{"AcceptHandshake", `{"HandshakeId":"h-abcdefgh","Extra":1}`, "", nil, true},
		{"AcceptHandshake", `{"HandshakeId":12345678}`, "SerializationException", nil, false},
		{"AcceptHandshake", `["h-abcdefgh"]`, "SerializationException", nil, false},
		{"AcceptHandshake", `{"HandshakeId":"h-abc`, "SerializationException", nil, false},
		{"AcceptHandshake", `{"HandshakeId":"h-abcdefgh"} x`, "SerializationException", nil, true},
		{"AcceptHandshake", `{"HandshakeId":"h-ABCDEFGH"}]`, "InvalidInputException", []string{"INVALID_PATTERN"}, false},
		{"AcceptHandshake", `{"HandshakeId":"h-ABCDEFGH"}]`, "SerializationException", nil, false},
		{"ListHandshakesForOrganization", `{"Filter":{"ActionType":"INVITE","ParentHandshakeId":"h-abcdefgh"}}`, "AWSOrganizationsNotInUseException", nil, false},
		{"AcceptHandshake", ``, "InvalidInputException", []string{"INPUT_REQUIRED"}, false},
		{"DescribeOrganization", ``, "SerializationException", nil, true},
		{"ListAccounts", `{"MaxResults":0}`, "InvalidInputException", []string{"MIN_VALUE_EXCEEDED"}, false},
		{"ListAccounts", `{"MaxResults":21}`, "InvalidInputException", []string{"MAX_VALUE_EXCEEDED"}, false},
		{"ListAccounts", `{"MaxResults":5.0}`, "SerializationException", nil, true},
		{"ListAccounts", `{"MaxResults":1.5}`, "SerializationException", nil, false},
		{"ListHandshakesForAccount", `{"Filter":{"ActionType":"INVITE","ParentHandshakeId":"h-abcdefgh"}}`, "InvalidInputException", filterReasons, false},
		{"ListHandshakesForAccount", `{"Filter":{"ActionType":"invite"}}`, "InvalidInputException", []string{"INVALID_ENUM"}, false},
		{"InviteAccountToOrganization", `{"Target":{"Id":"","Type":"ACCOUNT"}}`, "InvalidInputException", []string{"MIN_LENGTH_EXCEEDED", "INPUT_REQUIRED"}, false},
		{"InviteAccountToOrganization", `{"Target":{"Id":"1","Type":"ACCOUNT"},"Tags":[{"Key":"a!","Value":""}]}`, "InvalidInputException", []string{"INVALID_PATTERN", "INVALID_LIST_MEMBER"}, false},
		{"InviteAccountToOrganization", `{"Target":{"Id":"1","Type":"ACCOUNT"},"Notes":"` + strings.Repeat("😀", 1000) + `"}`, "InvalidInputException", []string{"MAX_LENGTH_EXCEEDED"}, true},
	} {
		j, err := Judge(c.op, []byte(c.body))
		require.NoError(t, err)
		name := c.op + " " + c.body
		if len(name) > 80 {
			name = name[:80]
		}
		assert.Equal(t, c.same, j.Expect.SameAsValid, "%s: SameAsValid; %s", name, j.Expect)
		if c.code == "" {
			assert.Empty(t, j.Expect.Codes, name)
			continue
		}
		assert.Contains(t, j.Expect.Codes, c.code, "%s: %s", name, j.Expect)
		if c.reasons != nil {
			assert.ElementsMatch(t, c.reasons, j.Expect.Codes[c.code], "%s: %s", name, j.Expect)
		}
	}
}

func TestConstraintReasonsAreConforming(t *testing.T) {
	rs, err := ConstraintReasons()
	require.NoError(t, err)
	enum, _ := specs.Must().Enum(invalidInputReason)
	for _, r := range rs {
		assert.True(t, enum.Has(r), r)
	}
	assert.Contains(t, rs, "INVALID_PATTERN")
	for _, r := range rs {
		for _, eq := range enum.Equivalents(r) {
			if enum.Has(eq) {
				assert.Contains(t, rs, eq, "specs names %s the same case as %s", eq, r)
			}
		}
	}
}

// TestAnswerTableRefusesStaleReasons shows a spec that drops a reason the
// table names fails loudly instead of judging with a stale name.
func TestAnswerTableRefusesStaleReasons(t *testing.T) {
	saved := answers[KindPattern]
	defer func() { answers[KindPattern] = saved }()
	answers[KindPattern] = answer{reasons: []string{"NO_SUCH_REASON"}}
	_, err := newTable()
	assert.ErrorContains(t, err, "NO_SUCH_REASON")
}

// TestValidTagsMatchTheModelsPattern: valid tag keys and values are drawn
// from the model's pattern (\p{L}\p{Z}\p{N} and a few signs), which AWS
// enforces, not from the schema's portable one, which admits any
// character from U+00A0 on (three in four drawn from it were ones AWS
// refuses).
func TestValidTagsMatchTheModelsPattern(t *testing.T) {
	o, err := For("InviteAccountToOrganization")
	require.NoError(t, err)
	model := regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	tags := 0
	rapid.Check(t, func(rt *rapid.T) {
		var body struct{ Tags []map[string]any }
		require.NoError(rt, json.Unmarshal(o.Valid().Draw(rt, "body"), &body))
		for _, tag := range body.Tags {
			for _, k := range []string{"Key", "Value"} {
				s, _ := tag[k].(string)
				tags++
				if !model.MatchString(s) {
					rt.Fatalf("Tags %s %q breaks the model's pattern", k, s)
				}
			}
		}
	})
	assert.Positive(t, tags, "tags were drawn")
}

// TestSpecPatternsParse: every pattern specs/shapes.json gives a scalar
// parses as a generator pattern (servicePattern falls back to the
// schema's where one would not).
func TestSpecPatternsParse(t *testing.T) {
	c, err := specs.Load()
	require.NoError(t, err)
	for name, sc := range c.Scalars {
		if sc.Pattern == "" {
			continue
		}
		_, err := ParsePattern(sc.Pattern)
		assert.NoError(t, err, name)
	}
}
