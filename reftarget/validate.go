package reftarget

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/orgconform/orgconform/specs"
)

// jsonKind is the JSON type a member must have on the wire.
type jsonKind string

// The JSON kinds of input members.
const (
	kindString  jsonKind = "string"
	kindInteger jsonKind = "integer"
	kindObject  jsonKind = "object"
	kindArray   jsonKind = "array"
)

// rule is the wire type and the constraints of one input member, taken from
// specs/ (operation members, named scalars, enums and structures).
type rule struct {
	key      string // member name in its JSON object
	name     string // member path as reported in messages, e.g. "Target.Id"
	kind     jsonKind
	required bool
	minLen   *int
	maxLen   *int
	min      *int
	max      *int
	pattern  *regexp.Regexp
	enum     map[string]bool
	nested   []rule // members of a structure
	elem     *rule  // the items of a list of structures
	// Planted faults (faults.go): an empty string passes every constraint
	// (a presence-only required check); a JSON null makes the handler fail.
	// A variant: an empty string is missing (INPUT_REQUIRED).
	emptyPasses   bool
	nullFails     bool
	emptyRequired bool
}

// nestedScalars names the scalar shape behind a structure member that
// shapes.json types only as "string".
var nestedScalars = map[string]string{
	"HandshakeParty.Id":                 "HandshakePartyId",
	"HandshakeFilter.ParentHandshakeId": "HandshakeId",
	"Tag.Key":                           "TagKey",
	"Tag.Value":                         "TagValue",
}

// rulesFor compiles the rules of op's input members.
func rulesFor(c *specs.Contract, op specs.Operation) ([]rule, error) {
	var out []rule
	for _, m := range op.Input {
		r := rule{key: m.Name, name: m.Name, required: m.Required, minLen: m.MinLength, maxLen: m.MaxLength, min: m.Min, max: m.Max}
		if err := r.setPattern(m.Pattern); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", op.Name, m.Name, err)
		}
		enumName := m.Enum
		if enumName == "" {
			if _, ok := c.Enum(m.Type); ok {
				enumName = m.Type
			}
		}
		switch st, isStruct := c.Structures[m.Type]; {
		case enumName != "":
			r.kind, r.enum = kindString, enumSet(c, enumName)
		case m.Type == "string":
			r.kind = kindString
		case m.Type == "integer":
			r.kind = kindInteger
		case len(m.Type) > 2 && m.Type[:2] == "[]":
			r.kind = kindArray
			if st, ok := c.Structures[m.Type[2:]]; ok {
				nested, err := structRules(c, m.Name+"[]", m.Type[2:], st)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", op.Name, err)
				}
				r.elem = &rule{name: m.Name + "[]", kind: kindObject, nested: nested}
			}
		case isStruct:
			r.kind = kindObject
			nested, err := structRules(c, m.Name, m.Type, st)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op.Name, err)
			}
			r.nested = nested
		default:
			return nil, fmt.Errorf("%s.%s: unknown member type %q", op.Name, m.Name, m.Type)
		}
		out = append(out, r)
	}
	return out, nil
}

// structRules compiles the rules of the members of structure shape.
func structRules(c *specs.Contract, field, shape string, st specs.Structure) ([]rule, error) {
	required := map[string]bool{}
	for _, n := range st.Required {
		required[n] = true
	}
	var out []rule
	for _, name := range sortedKeys(st.Members) {
		typ := st.Members[name]
		r := rule{key: name, name: field + "." + name, kind: kindString, required: required[name]}
		if _, ok := c.Enum(typ); ok {
			r.enum = enumSet(c, typ)
		} else if typ != "string" {
			return nil, fmt.Errorf("%s.%s: unsupported nested type %q", shape, name, typ)
		}
		if scalarName, ok := nestedScalars[shape+"."+name]; ok {
			sc := c.Scalars[scalarName]
			r.minLen, r.maxLen = sc.Min, sc.Max
			if err := r.setPattern(sc.Pattern); err != nil {
				return nil, fmt.Errorf("%s: %w", scalarName, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (r *rule) setPattern(p string) error {
	if p == "" {
		return nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", p, err)
	}
	r.pattern = re
	return nil
}

// enumSet returns the values of the named enumeration.
func enumSet(c *specs.Contract, name string) map[string]bool {
	e, _ := c.Enum(name)
	set := make(map[string]bool, len(e.Values))
	for _, v := range e.Values {
		set[v.Value] = true
	}
	return set
}

// parseObject parses a request body, which must be one JSON object. An
// empty body reads as {} (SDKs send "{}" for operations without input).
func parseObject(body []byte) (map[string]json.RawMessage, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, newError(errSerialization, "the request body is not a JSON object")
	}
	if dec.More() {
		return nil, newError(errSerialization, "unexpected data after the JSON object")
	}
	return obj, nil
}

// kindOf returns the JSON kind of a raw value, "null" or "boolean".
func kindOf(raw json.RawMessage) jsonKind {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '"':
		return kindString
	case '{':
		return kindObject
	case '[':
		return kindArray
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	}
	return "number"
}

// checkTypes reports a SerializationException for the first member whose
// JSON type does not match its rule; nested structures are checked too.
func checkTypes(rules []rule, obj map[string]json.RawMessage) *apiError {
	for _, r := range rules {
		raw, ok := obj[r.key]
		if !ok || kindOf(raw) == "null" {
			continue
		}
		got := kindOf(raw)
		if r.kind == kindInteger && got == "number" {
			if _, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 32); err == nil {
				continue
			}
			return newError(errSerialization, "%s must be an integer, got %s", r.name, raw)
		}
		if got != r.kind {
			return newError(errSerialization, "%s must be a JSON %s, got a %s", r.name, r.kind, got)
		}
		if r.nested != nil {
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(raw, &inner); err != nil {
				return newError(errSerialization, "%s: %v", r.name, err)
			}
			if e := checkTypes(r.nested, inner); e != nil {
				return e
			}
		}
		if r.elem != nil {
			items, e := r.items(raw)
			if e != nil {
				return e
			}
			for _, inner := range items {
				if e := checkTypes(r.elem.nested, inner); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

// items decodes a list of structures; an item that is not a JSON object is
// a SerializationException.
func (r rule) items(raw json.RawMessage) ([]map[string]json.RawMessage, *apiError) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, newError(errSerialization, "%s: %v", r.name, err)
	}
	out := make([]map[string]json.RawMessage, 0, len(list))
	for _, item := range list {
		if got := kindOf(item); got != kindObject {
			return nil, newError(errSerialization, "%s must be a JSON object, got a %s", r.elem.name, got)
		}
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(item, &inner); err != nil {
			return nil, newError(errSerialization, "%s: %v", r.elem.name, err)
		}
		out = append(out, inner)
	}
	return out, nil
}

// checkConstraints reports an InvalidInputException for the first member
// that breaks a constraint. For each member the order is: required, maximum
// length, minimum length, numeric range, pattern, enumeration — so a value
// that is both too long and malformed is MAX_LENGTH_EXCEEDED. Types must
// have been checked (checkTypes).
func checkConstraints(rules []rule, obj map[string]json.RawMessage) *apiError {
	for _, r := range rules {
		raw, ok := obj[r.key]
		if ok && r.nullFails && kindOf(raw) == "null" {
			return newError(errInternal, "'NoneType' object has no attribute 'startswith' (%s)", r.name)
		}
		if !ok || kindOf(raw) == "null" {
			if r.required {
				return invalidInput("INPUT_REQUIRED", "You must specify a value for %s.", r.name)
			}
			continue
		}
		if e := r.check(raw); e != nil {
			return e
		}
	}
	return nil
}

// check applies r's constraints to one present value.
func (r rule) check(raw json.RawMessage) *apiError {
	switch r.kind {
	case kindString:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return newError(errSerialization, "%s: %v", r.name, err)
		}
		return r.checkString(s)
	case kindInteger:
		n, _ := strconv.Atoi(string(bytes.TrimSpace(raw)))
		if r.min != nil && n < *r.min {
			return invalidInput("MIN_VALUE_EXCEEDED", "%s must be at least %d.", r.name, *r.min)
		}
		if r.max != nil && n > *r.max {
			return invalidInput("MAX_VALUE_EXCEEDED", "%s must be at most %d.", r.name, *r.max)
		}
	case kindObject:
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(raw, &inner); err != nil {
			return newError(errSerialization, "%s: %v", r.name, err)
		}
		return checkConstraints(r.nested, inner)
	case kindArray:
		if r.elem == nil {
			return nil
		}
		items, e := r.items(raw)
		if e != nil {
			return e
		}
		for _, inner := range items {
			if e := checkConstraints(r.elem.nested, inner); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkString applies the length, pattern and enumeration constraints.
func (r rule) checkString(s string) *apiError {
	switch {
	case s == "" && r.emptyPasses:
		return nil
	case s == "" && r.emptyRequired:
		return invalidInput("INPUT_REQUIRED", "You must specify a value for %s.", r.name)
	}
	n := utf8.RuneCountInString(s)
	switch {
	case r.maxLen != nil && n > *r.maxLen:
		return invalidInput("MAX_LENGTH_EXCEEDED", "%s must be at most %d characters long.", r.name, *r.maxLen)
	case r.minLen != nil && n < *r.minLen:
		return invalidInput("MIN_LENGTH_EXCEEDED", "%s must be at least %d characters long.", r.name, *r.minLen)
	case r.pattern != nil && !r.pattern.MatchString(s):
		return invalidInput("INVALID_PATTERN", "%s does not match the pattern %s.", r.name, r.pattern)
	case r.enum != nil && !r.enum[s]:
		return invalidInput("INVALID_ENUM", "%s has an invalid value.", r.name)
	}
	return nil
}

// sortedKeys returns m's keys in order, so that rule order is stable.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
