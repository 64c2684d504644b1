package inputgen

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/orgconform/orgconform/specs"
)

// Kind is the kind of constraint a request breaks.
type Kind string

// The constraint kinds: the JSON Schema keywords of the request schemas,
// plus an unknown member (which the schemas allow and AWS ignores).
const (
	KindPattern       Kind = "pattern"
	KindMinLength     Kind = "minLength"
	KindMaxLength     Kind = "maxLength"
	KindMinimum       Kind = "minimum"
	KindMaximum       Kind = "maximum"
	KindEnum          Kind = "enum"
	KindRequired      Kind = "required"
	KindType          Kind = "type"
	KindExclusive     Kind = "exclusive" // not: {required: [A, B]}: A and B both present
	KindUnknownMember Kind = "unknownMember"
)

// Constraint is one constraint of a request schema, at one place of a body.
type Constraint struct {
	Kind Kind
	// Path is the member's dotted path: "HandshakeId", "Target.Id",
	// "Tags[0].Key"; "" is the body itself.
	Path string
	// Variant says how the constraint is broken, e.g. "absent", "null",
	// "35 runes, maximum 34", "rune '{' out of class [0-9a-z] at 9".
	Variant string
}

// String renders the constraint on one line.
func (c Constraint) String() string {
	p := c.Path
	if p == "" {
		p = "(body)"
	}
	if c.Variant == "" {
		return fmt.Sprintf("%s at %s", c.Kind, p)
	}
	return fmt.Sprintf("%s at %s (%s)", c.Kind, p, c.Variant)
}

// Expect is the documented answer to a request: an error of Codes (an
// exception name to the Reasons it may carry; none listed: no Reason
// required), or, where SameAsValid is set, whatever the valid request the
// body stands for gets (an unknown member is ignored by AWS). Both may be
// set: then either answer conforms.
type Expect struct {
	Codes       map[string][]string
	SameAsValid bool
	Why         string // the reasoning, one sentence a constraint
	Source      string // where the answer is documented
}

// Allows reports whether an error code with reason is one of e's Codes.
func (e Expect) Allows(code, reason string) bool {
	reasons, ok := e.Codes[code]
	return ok && (len(reasons) == 0 || slices.Contains(reasons, reason))
}

// String renders the expectation on one line.
func (e Expect) String() string {
	var parts []string
	for _, code := range sortedKeys(e.Codes) {
		if rs := e.Codes[code]; len(rs) > 0 {
			parts = append(parts, fmt.Sprintf("%s (Reason %s)", code, strings.Join(rs, " or ")))
		} else {
			parts = append(parts, code)
		}
	}
	if e.SameAsValid {
		parts = append(parts, "the answer the valid request gets")
	}
	out := strings.Join(parts, ", or ")
	if e.Why != "" {
		out += " — " + e.Why
	}
	return out
}

// The exception modeled input errors are reported with, and the reason enum
// it carries. Both are checked against specs when the table loads.
const (
	invalidInput       = "InvalidInputException"
	invalidInputReason = "InvalidInputExceptionReason"
	catDeserialize     = "deserialize" // specs/errors.json acceptedWhere
)

// answer is the documented answer to one kind of broken constraint: the
// InvalidInputException reasons that name it (checked against specs'
// conforming values; several where a renamed value or the page's and the
// model's readings differ) and why.
type answer struct {
	reasons []string
	why     string
	source  string
	// unmodeled marks a rule the model states only in its documentation:
	// the operation's own code checks it, possibly after the caller (so the
	// caller errors of callerErrors are allowed too), where the modeled
	// constraints are validated before the operation runs.
	unmodeled bool
}

// callerErrors are the refusals that depend on the caller, not the request
// (no organization, no permission): an operation may give them before it
// checks an unmodeled rule. Only those the operation documents are allowed.
var callerErrors = []string{"AWSOrganizationsNotInUseException", "AccessDeniedException"}

// answers is the constraint → answer table. The reason texts quoted are the
// model's InvalidInputException documentation (botocore
// organizations/2016-11-28), which the reference page repeats. Each name is
// kept only while specs' InvalidInputExceptionReason has it, and joined by
// the names specs says are the same case (Enum.Equivalents).
var answers = map[Kind]answer{
	KindPattern:   {[]string{"INVALID_PATTERN"}, "the value does not match the member's pattern", "model: INVALID_PATTERN “You provided a value that doesn't match the required pattern”", false},
	KindMinLength: {[]string{"MIN_LENGTH_EXCEEDED"}, "the string is shorter than minLength", "model: MIN_LENGTH_EXCEEDED “a string parameter that is shorter than allowed”", false},
	KindMaxLength: {[]string{"MAX_LENGTH_EXCEEDED"}, "the string is longer than maxLength", "model: MAX_LENGTH_EXCEEDED “a string parameter that is longer than allowed”", false},
	KindMinimum:   {[]string{"MIN_VALUE_EXCEEDED"}, "the number is below minimum", "model: MIN_VALUE_EXCEEDED “a numeric parameter that has a smaller value than allowed”", false},
	KindMaximum:   {[]string{"MAX_VALUE_EXCEEDED"}, "the number is above maximum", "model: MAX_VALUE_EXCEEDED “a numeric parameter that has a larger value than allowed”", false},
	KindEnum:      {[]string{"INVALID_ENUM"}, "the value is not one of the enum's", "model: INVALID_ENUM “You specified an invalid value”", false},
	KindRequired:  {[]string{"INPUT_REQUIRED"}, "a required member is missing (awsJson1_1 reads null as absent)", "model: INPUT_REQUIRED “You must include a value for all required parameters”", false},
	// The model's enum name; specs adds the page's MAX_FILTER_LIMIT_EXCEEDED
	// as an equivalent (specs/drift.json).
	KindExclusive: {[]string{"MAX_LIMIT_EXCEEDED_FILTER"}, "members documented as mutually exclusive are both present", "model: HandshakeFilter “If you specify ActionType, you cannot also specify ParentHandshakeId”; MAX_FILTER_LIMIT_EXCEEDED “You can specify only one filter parameter for the operation”, renamed MAX_LIMIT_EXCEEDED_FILTER in the model", true},
}

// listMember is the reason for an invalid value inside a list, which a
// service may give instead of the value's own.
var listMember = answer{[]string{"INVALID_LIST_MEMBER"}, "the broken value is a list member", "model: INVALID_LIST_MEMBER “a list to a parameter that contains at least one invalid value”", false}

// table is the answer table with reasons filtered to specs' conforming
// values, and the common errors accepted for undeserializable input.
type table struct {
	contract    *specs.Contract
	reasons     map[Kind][]string
	listReasons []string
	deserialize []string
}

var (
	tableOnce sync.Once
	loaded    *table
	tableErr  error
)

func loadTable() (*table, error) {
	tableOnce.Do(func() { loaded, tableErr = newTable() })
	return loaded, tableErr
}

func newTable() (*table, error) {
	c, err := specs.Load()
	if err != nil {
		return nil, fmt.Errorf("inputgen: %w", err)
	}
	e, ok := c.Error(invalidInput)
	if !ok || e.ReasonEnum != invalidInputReason {
		return nil, fmt.Errorf("inputgen: specs has no %s with reason enum %s", invalidInput, invalidInputReason)
	}
	enum, ok := c.Enum(invalidInputReason)
	if !ok {
		return nil, fmt.Errorf("inputgen: specs has no enum %s", invalidInputReason)
	}
	// conforming keeps the names specs' enum has, with every other name
	// specs gives the same case (a documentation-only name and the enum's).
	conforming := func(names []string) []string {
		var out []string
		for _, n := range names {
			for _, eq := range enum.Equivalents(n) {
				if enum.Has(eq) && !slices.Contains(out, eq) {
					out = append(out, eq)
				}
			}
		}
		return out
	}
	t := &table{contract: c, reasons: map[Kind][]string{}}
	for kind, a := range answers {
		rs := conforming(a.reasons)
		if len(rs) == 0 {
			return nil, fmt.Errorf("inputgen: specs' %s has none of %v for a broken %s", invalidInputReason, a.reasons, kind)
		}
		t.reasons[kind] = rs
	}
	t.listReasons = conforming(listMember.reasons)
	t.deserialize = c.CommonErrorsFor(catDeserialize)
	if len(t.deserialize) == 0 {
		return nil, fmt.Errorf("inputgen: specs/errors.json accepts no common error for %q", catDeserialize)
	}
	return t, nil
}

// ConstraintReasons returns the InvalidInputException reasons that say a
// request broke a schema constraint: a valid request must never get one.
func ConstraintReasons() ([]string, error) {
	t, err := loadTable()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rs := range t.reasons {
		out = append(out, rs...)
	}
	out = append(out, t.listReasons...)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// DeserializeErrors returns the common errors specs accepts for a body or
// member the service cannot deserialize (SerializationException).
func DeserializeErrors() ([]string, error) {
	t, err := loadTable()
	if err != nil {
		return nil, err
	}
	return slices.Clone(t.deserialize), nil
}

// expectation builds the answer to a body that breaks the violations; valid
// is set when, read as a lenient service may read it, the body is valid
// (the answer the valid request gets is then allowed too).
func (t *table) expectation(op specs.Operation, vs []violation, sameAsValid bool) Expect {
	e := Expect{Codes: map[string][]string{}, SameAsValid: sameAsValid}
	var whys, sources []string
	addReasons := func(rs ...string) {
		for _, r := range rs {
			if !slices.Contains(e.Codes[invalidInput], r) {
				e.Codes[invalidInput] = append(e.Codes[invalidInput], r)
			}
		}
	}
	addWhy := func(why, source string) {
		if !slices.Contains(whys, why) {
			whys = append(whys, why)
		}
		if source != "" && !slices.Contains(sources, source) {
			sources = append(sources, source)
		}
	}
	for _, v := range vs {
		switch v.Kind {
		case KindType:
			for _, code := range t.deserialize {
				e.Codes[code] = nil
			}
			if v.plausible != "" {
				addWhy(fmt.Sprintf("%s: %s (%s)", v.Constraint, v.plausible, strings.Join(t.deserialize, ", ")), "specs/errors.json common errors acceptedWhere deserialize")
				continue
			}
			addWhy(fmt.Sprintf("%s: a JSON type the service cannot deserialize (%s)", v.Constraint, strings.Join(t.deserialize, ", ")), "specs/errors.json common errors acceptedWhere deserialize (assumption: awsJson1_1 services refuse undeserializable input before validation)")
			if alt := v.typeAlternatives(t); len(alt) > 0 {
				addReasons(alt...)
				addWhy(fmt.Sprintf("or a lenient deserializer coerces or drops it and reports %s", strings.Join(alt, " or ")), "contract input checks: a number or object id may be refused as INVALID_PATTERN or INPUT_REQUIRED")
			}
		default:
			a := answers[v.Kind]
			addReasons(t.reasons[v.Kind]...)
			why := fmt.Sprintf("%s: %s", v.Constraint, a.why)
			if v.plausible != "" {
				why = fmt.Sprintf("%s: %s", v.Constraint, v.plausible)
			}
			addWhy(why, a.source)
			if a.unmodeled {
				var callers []string
				for _, code := range callerErrors {
					if op.Documents(code) {
						e.Codes[code] = nil
						callers = append(callers, code)
					}
				}
				if len(callers) > 0 {
					addWhy(fmt.Sprintf("the rule is not a modeled constraint, so the operation may refuse the caller first (%s)", strings.Join(callers, ", ")), "")
				}
			}
			if v.inItem && len(t.listReasons) > 0 {
				addReasons(t.listReasons...)
				addWhy(listMember.why+" (or "+strings.Join(t.listReasons, ", ")+")", listMember.source)
			}
		}
	}
	if len(e.Codes) == 0 {
		e.Codes = nil
	}
	if n := len(e.Codes[invalidInput]); n > 1 {
		addWhy("the target reports the one it checks first", "")
	}
	broken := slices.ContainsFunc(vs, violation.schemaBroken)
	switch {
	case sameAsValid && !broken:
		addWhy("the body is a valid request: members the schema does not name are ignored, as awsJson1_1 services ignore unknown input members", "schemas/README.md (unknown members are allowed)")
	case sameAsValid:
		addWhy("read as a Java-style $ reads it (matching before a final newline), the body is a valid request", "contract input checks: trailing-newline")
	}
	e.Why = strings.Join(whys, "; ")
	e.Source = strings.Join(sources, "; ")
	return e
}
