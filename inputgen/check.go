package inputgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/orgconform/orgconform/specs"
)

// Op is one operation's request schema, ready to generate and judge bodies.
type Op struct {
	Name  string
	root  *Node
	spec  specs.Operation
	table *table
}

var (
	opsMu sync.Mutex
	ops   = map[string]*Op{}
)

// For returns the operation op of specs/operations.json with its request
// schema loaded; the result is cached.
func For(op string) (*Op, error) {
	opsMu.Lock()
	defer opsMu.Unlock()
	if o, ok := ops[op]; ok {
		return o, nil
	}
	t, err := loadTable()
	if err != nil {
		return nil, err
	}
	spec, ok := t.contract.Operation(op)
	if !ok {
		return nil, fmt.Errorf("inputgen: %q is not an operation of specs/operations.json", op)
	}
	root, err := loadRequest(op)
	if err != nil {
		return nil, err
	}
	if len(root.Members) > 0 && !spec.Documents(invalidInput) {
		return nil, fmt.Errorf("inputgen: %s has input members but does not document %s", op, invalidInput)
	}
	o := &Op{Name: op, root: root, spec: spec, table: t}
	ops[op] = o
	return o, nil
}

// Operations returns the names of the operations of specs/operations.json,
// in its order.
func Operations() ([]string, error) {
	t, err := loadTable()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range t.contract.Operations {
		out = append(out, o.Name)
	}
	return out, nil
}

// Root returns the request schema of the operation as a Node tree.
func (o *Op) Root() *Node { return o.root }

// hasRequired reports whether the request has a required member.
func (o *Op) hasRequired() bool {
	for _, m := range o.root.Members {
		if m.Required {
			return true
		}
	}
	return false
}

// Judgement is the verdict on one request body.
type Judgement struct {
	// Valid is set when the request schema accepts the body (null members
	// read as absent, as awsJson1_1 services read them).
	Valid bool
	// Broken lists the constraints the body breaks, in body order.
	Broken []Constraint
	// Expect is the documented answer.
	Expect Expect
}

// violation is one broken constraint found in a value, or (plausible set)
// a reading of the value the sources allow beyond the schema, such as a
// length counted in UTF-16 units.
type violation struct {
	Constraint
	node      *Node
	required  bool   // the member is required
	inItem    bool   // the value is inside a list member
	lenient   bool   // a pattern mismatch only by a final newline, which a Java-style $ accepts
	plausible string // not a schema violation: why the answer is allowed anyway
}

// schemaBroken reports whether v breaks the schema (not just a plausible
// reading).
func (v violation) schemaBroken() bool { return v.plausible == "" }

// typeAlternatives are the InvalidInputException reasons a lenient
// deserializer may give a member of the wrong JSON type: the value's own
// pattern or enum, and INPUT_REQUIRED for a required member it drops.
func (v violation) typeAlternatives(t *table) []string {
	var out []string
	if v.node != nil && v.node.Pattern != nil {
		out = append(out, t.reasons[KindPattern]...)
	}
	if v.node != nil && len(v.node.Enum) > 0 {
		out = append(out, t.reasons[KindEnum]...)
	}
	if v.required {
		out = append(out, t.reasons[KindRequired]...)
	}
	return out
}

// Judge classifies any request body of op: valid, or the constraints it
// breaks and the documented answer.
func Judge(op string, body []byte) (Judgement, error) {
	o, err := For(op)
	if err != nil {
		return Judgement{}, err
	}
	return o.Judge(body), nil
}

// Judge classifies a request body: see the package function.
func (o *Op) Judge(body []byte) Judgement {
	var pre []violation
	if !utf8.Valid(body) {
		pre = append(pre, violation{Constraint: Constraint{Kind: KindType, Variant: "invalid UTF-8"}, plausible: "the body is not valid UTF-8, which a strict JSON reader refuses"})
	}
	if len(bytes.TrimSpace(body)) == 0 {
		// SDKs send {} for operations without input; services read an
		// empty body as {} or refuse it as unreadable.
		pre = append(pre, violation{Constraint: Constraint{Kind: KindType, Variant: "empty body"}, plausible: "an empty body is read as {} or refused as unreadable"})
		body = []byte("{}")
	}
	v, trailing, err := decode(body)
	if trailing {
		// One JSON value and then more text: a strict reader refuses the
		// body, a reader that stops after the first value (Jackson's
		// default) reads that value.
		pre = append(pre, violation{Constraint: Constraint{Kind: KindType, Variant: "data after the JSON value"}, lenient: true})
	}
	if err != nil {
		vs := append(pre, violation{Constraint: Constraint{Kind: KindType, Variant: "not JSON: " + err.Error()}})
		return Judgement{Broken: constraints(vs), Expect: o.table.expectation(o.spec, vs, false)}
	}
	vs := append(pre, o.check(v)...)
	return o.judgement(vs)
}

// judgement turns violations into a Judgement.
func (o *Op) judgement(vs []violation) Judgement {
	j := Judgement{Valid: true}
	lenientOnly := false
	for _, v := range vs {
		if !v.schemaBroken() {
			continue
		}
		j.Valid = false
		j.Broken = append(j.Broken, v.Constraint)
		lenientOnly = v.lenient && (lenientOnly || len(j.Broken) == 1)
	}
	j.Expect = o.table.expectation(o.spec, vs, j.Valid || lenientOnly)
	return j
}

func constraints(vs []violation) []Constraint {
	var out []Constraint
	for _, v := range vs {
		if v.schemaBroken() {
			out = append(out, v.Constraint)
		}
	}
	return out
}

// decode reads the first JSON value of body (numbers as json.Number);
// trailing reports text after it.
func decode(body []byte) (v any, trailing bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, err
	}
	return v, len(bytes.TrimSpace(body[dec.InputOffset():])) > 0, nil
}

// check returns the violations of a decoded body.
func (o *Op) check(v any) []violation {
	if _, ok := v.(map[string]any); !ok {
		viol := violation{Constraint: Constraint{Kind: KindType, Variant: "the body is " + jsonType(v) + ", not an object"}, node: o.root, required: o.hasRequired()}
		return []violation{viol}
	}
	var out []violation
	checkValue(o.root, v, "", false, &out)
	return out
}

// checkValue appends the violations of v against n at path.
func checkValue(n *Node, v any, path string, inItem bool, out *[]violation) {
	add := func(kind Kind, variant string) *violation {
		*out = append(*out, violation{Constraint: Constraint{Kind: kind, Path: path, Variant: variant}, node: n, inItem: inItem})
		return &(*out)[len(*out)-1]
	}
	if got := jsonType(v); got != n.Type && !(n.Type == "integer" && got == "number") {
		add(KindType, fmt.Sprintf("%s where %s is modeled", got, article(n.Type)))
		return
	}
	switch n.Type {
	case "object":
		obj := v.(map[string]any)
		for _, m := range n.Members {
			mv, present := obj[m.Name]
			switch {
			case (!present || mv == nil) && m.Required:
				variant := "absent"
				if present {
					variant = "null"
				}
				*out = append(*out, violation{Constraint: Constraint{Kind: KindRequired, Path: join(path, m.Name), Variant: variant}, node: m.Node, required: true, inItem: inItem})
			case !present || mv == nil:
			default:
				before := len(*out)
				checkValue(m.Node, mv, join(path, m.Name), inItem, out)
				for i := before; i < len(*out); i++ {
					if (*out)[i].Path == join(path, m.Name) {
						(*out)[i].required = m.Required
					}
				}
				if mv == "" && m.Required && len(*out) > before {
					*out = append(*out, violation{Constraint: Constraint{Kind: KindRequired, Path: join(path, m.Name), Variant: "empty string"}, node: m.Node, required: true, inItem: inItem,
						plausible: "an empty string for a required member, which a service may read as missing"})
				}
			}
		}
		for _, group := range n.Exclusive {
			all := true
			for _, name := range group {
				if mv, ok := obj[name]; !ok || mv == nil {
					all = false
				}
			}
			if all {
				add(KindExclusive, strings.Join(group, " and ")+" both present")
			}
		}
	case "array":
		for i, item := range v.([]any) {
			p := fmt.Sprintf("%s[%d]", path, i)
			if item == nil {
				*out = append(*out, violation{Constraint: Constraint{Kind: KindType, Path: p, Variant: "null list member"}, node: n.Items, required: true, inItem: true})
				continue
			}
			checkValue(n.Items, item, p, true, out)
		}
	case "string":
		checkString(n, v.(string), add)
	case "integer":
		checkInteger(n, v, add)
	}
}

// checkString applies length, pattern and enum to s.
func checkString(n *Node, s string, add func(Kind, string) *violation) {
	runes, units := utf8.RuneCountInString(s), utf16Len(s)
	switch {
	case n.MaxLength != nil && runes > *n.MaxLength:
		add(KindMaxLength, fmt.Sprintf("%d runes, maximum %d", runes, *n.MaxLength))
	case n.MaxLength != nil && units > *n.MaxLength:
		add(KindMaxLength, fmt.Sprintf("%d UTF-16 units", units)).plausible =
			fmt.Sprintf("%d code points (JSON Schema's length) but %d UTF-16 units (a Java service's), maximum %d", runes, units, *n.MaxLength)
	}
	if n.MinLength != nil && runes < *n.MinLength {
		add(KindMinLength, fmt.Sprintf("%d runes, minimum %d", runes, *n.MinLength))
	}
	if p := n.Pattern; p != nil && !p.Match(s) {
		v := add(KindPattern, fmt.Sprintf("%q does not match %s", clip(s), p.Source))
		v.lenient = strings.HasSuffix(s, "\n") && p.Match(strings.TrimSuffix(s, "\n")) && lengthOK(n, strings.TrimSuffix(s, "\n"))
		lo, hi := p.Lengths()
		if runes < lo && (n.MinLength == nil || runes >= *n.MinLength) {
			add(KindMinLength, fmt.Sprintf("%d runes, the pattern needs %d", runes, lo)).plausible =
				fmt.Sprintf("shorter than any match of the pattern (%d runes), which a service may report as too short", lo)
		}
		if hi >= 0 && runes > hi && (n.MaxLength == nil || runes <= *n.MaxLength) {
			add(KindMaxLength, fmt.Sprintf("%d runes, the pattern allows %d", runes, hi)).plausible =
				fmt.Sprintf("longer than any match of the pattern (%d runes), which a service may report as too long", hi)
		}
	}
	if len(n.Enum) > 0 && !slices.Contains(n.Enum, s) {
		add(KindEnum, fmt.Sprintf("%q is not one of %s", clip(s), strings.Join(n.Enum, ", ")))
	}
}

// lengthOK reports whether s satisfies n's length constraints.
func lengthOK(n *Node, s string) bool {
	r := utf8.RuneCountInString(s)
	return (n.MinLength == nil || r >= *n.MinLength) && (n.MaxLength == nil || utf16Len(s) <= *n.MaxLength)
}

// checkInteger applies the JSON type, range and 32-bit readings to v.
func checkInteger(n *Node, v any, add func(Kind, string) *violation) {
	text := fmt.Sprint(v)
	if num, ok := v.(json.Number); ok {
		text = num.String()
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		add(KindType, fmt.Sprintf("%s is not a number", text))
		return
	}
	if !r.IsInt() {
		add(KindType, fmt.Sprintf("%s where an integer is modeled", text))
		return
	}
	if strings.ContainsAny(text, ".eE") {
		add(KindType, text+" written with a fraction or exponent").plausible = "an integral number written as " + text + ", which a strict integer reader refuses"
	}
	if r.Cmp(big.NewRat(math.MinInt32, 1)) < 0 || r.Cmp(big.NewRat(math.MaxInt32, 1)) > 0 {
		add(KindType, text+" beyond 32 bits").plausible = "beyond a 32-bit integer (the model's Integer), which a service may fail to read"
	}
	if n.Minimum != nil && r.Cmp(big.NewRat(*n.Minimum, 1)) < 0 {
		add(KindMinimum, fmt.Sprintf("%s, minimum %d", text, *n.Minimum))
	}
	if n.Maximum != nil && r.Cmp(big.NewRat(*n.Maximum, 1)) > 0 {
		add(KindMaximum, fmt.Sprintf("%s, maximum %d", text, *n.Maximum))
	}
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	return "number"
}

func article(typ string) string {
	if strings.IndexByte("aeiou", typ[0]) >= 0 {
		return "an " + typ
	}
	return "a " + typ
}

// utf16Len counts s in UTF-16 units, as Java's String.length does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// clip shortens s for messages.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + fmt.Sprintf("…(%d runes)", len(r))
	}
	return s
}
