package inputgen

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/specs"
)

// Case is a request body that breaks one constraint, and the answer the
// contract gives it.
type Case struct {
	Op   string
	Body []byte
	// Constraint is the constraint the case was made to break.
	Constraint Constraint
	// Also lists the other constraints the same value breaks, where no value
	// can break the one alone (a 35-character HandshakeId is also off its
	// pattern, whose repetition stops at 34); Expect allows the reasons of
	// all of them.
	Also []Constraint
	// Valid is the valid request the case was made from. Where Expect
	// allows the answer the valid request gets (an unknown member), it is
	// the body that answer is compared with.
	Valid  []byte
	Expect Expect
}

// String renders the case on one line.
func (c Case) String() string {
	s := fmt.Sprintf("%s: %s", c.Op, c.Constraint)
	if len(c.Also) > 0 {
		var also []string
		for _, a := range c.Also {
			also = append(also, a.String())
		}
		s += ", also " + strings.Join(also, ", ")
	}
	return fmt.Sprintf("%s; body %s", s, clipBytes(c.Body))
}

// step is one step of a site's path: a member name, or "[]" for a list
// member.
type step = string

const itemStep step = "[]"

// site is one place of a request schema where a constraint can be broken.
type site struct {
	kind  Kind
	path  []step // to the member (to the object for exclusive and unknownMember)
	node  *Node  // the member's node (the object's for exclusive and unknownMember)
	group []string
}

// sites lists every breakable constraint of the request schema.
func (o *Op) sites() []site {
	out := []site{{kind: KindType, node: o.root}, {kind: KindUnknownMember, node: o.root}}
	var walkNode func(n *Node, path []step)
	walkNode = func(n *Node, path []step) {
		switch n.Type {
		case "object":
			if len(path) > 0 {
				out = append(out, site{kind: KindUnknownMember, path: path, node: n})
			}
			for _, g := range n.Exclusive {
				out = append(out, site{kind: KindExclusive, path: path, node: n, group: g})
			}
			for _, m := range n.Members {
				p := append(slices.Clone(path), m.Name)
				if m.Required {
					out = append(out, site{kind: KindRequired, path: p, node: m.Node})
				}
				out = append(out, site{kind: KindType, path: p, node: m.Node})
				walkNode(m.Node, p)
			}
		case "array":
			walkNode(n.Items, append(slices.Clone(path), itemStep))
		case "string":
			if n.Pattern != nil {
				out = append(out, site{kind: KindPattern, path: path, node: n})
			}
			if n.MinLength != nil && *n.MinLength > 0 {
				out = append(out, site{kind: KindMinLength, path: path, node: n})
			}
			if n.MaxLength != nil {
				out = append(out, site{kind: KindMaxLength, path: path, node: n})
			}
			if len(n.Enum) > 0 {
				out = append(out, site{kind: KindEnum, path: path, node: n})
			}
		case "integer":
			if n.Minimum != nil && *n.Minimum > math.MinInt32 {
				out = append(out, site{kind: KindMinimum, path: path, node: n})
			}
			if n.Maximum != nil && *n.Maximum < math.MaxInt32 {
				out = append(out, site{kind: KindMaximum, path: path, node: n})
			}
		}
	}
	walkNode(o.root, nil)
	return out
}

// Kinds returns the constraint kinds Broken can break for the operation.
func (o *Op) Kinds() []Kind {
	var out []Kind
	for _, s := range o.sites() {
		if !slices.Contains(out, s.kind) {
			out = append(out, s.kind)
		}
	}
	return out
}

// Broken returns a generator of Cases: a valid request with one constraint
// broken — a pattern (one rune out of class, a literal changed, one
// repetition too few or too many), a length or numeric bound (by one, or far
// beyond), an enum, a required member (absent or null), a member's JSON
// type, members documented as exclusive, or an unknown member added — with
// the documented answer.
func (o *Op) Broken() *rapid.Generator[Case] {
	sites := o.sites()
	return rapid.Custom(func(t *rapid.T) Case {
		s := rapid.SampledFrom(sites).Draw(t, "constraint")
		root := o.validValue(t, o.root, "").(map[string]any)
		parent, name, path := o.reach(t, root, s)
		valid := deepCopy(root)
		var body []byte
		variant := ""
		if s.kind == KindType && len(s.path) == 0 {
			body, variant = brokenBody(t, root)
		} else {
			variant = o.breakAt(t, s, parent, name, path)
			body = marshal(root)
		}
		j := o.Judge(body)
		c := Case{Op: o.Name, Body: body, Valid: marshal(valid), Expect: j.Expect}
		named := Constraint{Kind: s.kind, Path: path, Variant: variant}
		for _, b := range j.Broken {
			if b.Kind == s.kind && b.Path == path && !namedFound(c) {
				c.Constraint = b
				if variant != "" && b.Variant != variant {
					c.Constraint.Variant = variant + "; " + b.Variant
				}
				continue
			}
			c.Also = append(c.Also, b)
		}
		if s.kind == KindUnknownMember {
			c.Constraint = named
		}
		if !namedFound(c) {
			t.Fatalf("inputgen: %s: breaking %s gave a body that does not break it: %s (breaks %v)", o.Name, named, body, j.Broken)
		}
		if j.Expect.SameAsValid && s.kind != KindUnknownMember && len(s.path) > 0 {
			// Read leniently (a final newline a Java-style $ accepts) the
			// body is valid: that reading is the valid request.
			c.Valid = marshal(lenient(root, parent, name))
		}
		return c
	})
}

func namedFound(c Case) bool { return c.Constraint.Kind != "" }

// reach walks s.path in root, creating what is missing with valid values
// and picking a list member, and returns the object that holds the member
// to break (the object itself for exclusive and unknownMember), the member
// name and the concrete dotted path.
func (o *Op) reach(t *rapid.T, root map[string]any, s site) (map[string]any, string, string) {
	steps := s.path
	if s.kind != KindExclusive && s.kind != KindUnknownMember && len(steps) > 0 {
		steps = steps[:len(steps)-1]
	}
	var cur any = root
	node := o.root
	path := ""
	for _, st := range steps {
		if st == itemStep {
			items := cur.([]any)
			if len(items) == 0 {
				items = append(items, o.validValue(t, node.Items, path+"[0]"))
				setAt(root, path, items)
			}
			i := biased(t, 0, len(items)-1, path+" member")
			path = fmt.Sprintf("%s[%d]", path, i)
			cur, node = items[i], node.Items
			continue
		}
		obj := cur.(map[string]any)
		m := node.member(st)
		p := join(path, st)
		if _, ok := obj[st]; !ok {
			obj[st] = o.validValue(t, m.Node, p)
		}
		cur, node, path = obj[st], m.Node, p
	}
	obj := cur.(map[string]any)
	if s.kind == KindExclusive || s.kind == KindUnknownMember || len(s.path) == 0 {
		return obj, "", path
	}
	name := s.path[len(s.path)-1]
	return obj, name, join(path, name)
}

// setAt replaces the list at a dotted path of root (lists are values, so a
// grown list must be stored back).
func setAt(root map[string]any, path string, v any) {
	var cur any = root
	parts := splitPath(path)
	for i, p := range parts {
		if i == len(parts)-1 {
			cur.(map[string]any)[p.name] = v
			return
		}
		cur = cur.(map[string]any)[p.name]
		if p.index >= 0 {
			cur = cur.([]any)[p.index]
		}
	}
}

type pathPart struct {
	name  string
	index int
}

// splitPath splits "Tags[0].Key" into {Tags 0} {Key -1}.
func splitPath(path string) []pathPart {
	var out []pathPart
	for _, seg := range strings.Split(path, ".") {
		p := pathPart{name: seg, index: -1}
		if i := strings.IndexByte(seg, '['); i >= 0 {
			p.name = seg[:i]
			fmt.Sscanf(seg[i:], "[%d]", &p.index)
		}
		out = append(out, p)
	}
	return out
}

// breakAt breaks s in obj (member name, or the object itself) and returns
// how.
func (o *Op) breakAt(t *rapid.T, s site, obj map[string]any, name, path string) string {
	n := s.node
	switch s.kind {
	case KindRequired:
		if rapid.Bool().Draw(t, path+" null") {
			obj[name] = nil
			return "null"
		}
		delete(obj, name)
		return "absent"
	case KindType:
		v, how := wrongType(t, n, obj[name])
		obj[name] = v
		return how
	case KindExclusive:
		for _, m := range s.group {
			if _, ok := obj[m]; !ok {
				obj[m] = o.validValue(t, n.member(m).Node, join(path, m))
			}
		}
		return strings.Join(s.group, " and ") + " both present"
	case KindUnknownMember:
		key := unknownName(t, n)
		obj[key] = anyJSON(t, 2)
		return fmt.Sprintf("member %q added", key)
	case KindPattern:
		budget := -1
		if n.MaxLength != nil {
			budget = *n.MaxLength
		}
		m := n.Pattern.NotMatching(budget).Draw(t, path)
		obj[name] = m.S
		return m.How
	case KindMinLength:
		s := validString(t, n, path)
		cut := biased(t, 0, *n.MinLength-1, path+" length")
		obj[name] = string([]rune(s)[:min(cut, runeLen(s))])
		return fmt.Sprintf("%d runes, minimum %d", cut, *n.MinLength)
	case KindMaxLength:
		s := validString(t, n, path)
		over := biased(t, 1, 4096, path+" over")
		fill := "a"
		if rs := []rune(s); len(rs) > 0 {
			fill = string(rs[len(rs)-1])
		}
		s += strings.Repeat(fill, *n.MaxLength+over-runeLen(s))
		obj[name] = s
		return fmt.Sprintf("%d runes, maximum %d", runeLen(s), *n.MaxLength)
	case KindEnum:
		v := notInEnum(t, n, o.table.contract)
		obj[name] = v
		return fmt.Sprintf("%q", v)
	case KindMinimum:
		v := biased(t, math.MinInt32, int(*n.Minimum)-1, path)
		obj[name] = int64(v)
		return fmt.Sprintf("%d, minimum %d", v, *n.Minimum)
	case KindMaximum:
		v := biased(t, int(*n.Maximum)+1, math.MaxInt32, path)
		obj[name] = int64(v)
		return fmt.Sprintf("%d, maximum %d", v, *n.Maximum)
	}
	t.Fatalf("inputgen: no way to break %s", s.kind)
	return ""
}

// brokenBody returns a body that is not a JSON object: another JSON type,
// or text that is not JSON at all.
func brokenBody(t *rapid.T, valid map[string]any) ([]byte, string) {
	good := marshal(valid)
	switch rapid.IntRange(0, 6).Draw(t, "body") {
	case 0:
		return []byte("[" + string(good) + "]"), "an array holding the valid object"
	case 1:
		return marshal(string(good)), "the valid object as a JSON string"
	case 2:
		return []byte("42"), "a number"
	case 3:
		return []byte("null"), "null"
	case 4:
		return []byte("true"), "a boolean"
	case 5:
		cut := rapid.IntRange(1, len(good)-1).Draw(t, "cut")
		return good[:cut], fmt.Sprintf("the valid body cut after %d bytes", cut)
	}
	return append(append([]byte{}, good...), " x"...), "text after the valid object"
}

// wrongType returns a value of another JSON type than n's, built from the
// valid value where that makes it more tempting (the id inside an object or
// a list).
func wrongType(t *rapid.T, n *Node, valid any) (any, string) {
	type alt struct {
		v   any
		how string
	}
	var alts []alt
	switch n.Type {
	case "string":
		alts = []alt{{json.Number("12345678"), "a number"}, {true, "a boolean"}, {[]any{valid}, "the value in a list"}, {map[string]any{"Id": valid}, "the value in an object"}}
	case "integer":
		alts = []alt{{fmt.Sprint(valid), "the number as a string"}, {json.Number("1.5"), "a fraction"}, {false, "a boolean"}, {[]any{valid}, "the number in a list"}}
	case "object":
		alts = []alt{{"{}", "a string"}, {json.Number("1"), "a number"}, {[]any{valid}, "the object in a list"}, {false, "a boolean"}}
	case "array":
		alts = []alt{{map[string]any{}, "an object"}, {"[]", "a string"}, {json.Number("0"), "a number"}, {true, "a boolean"}}
	}
	a := rapid.SampledFrom(alts).Draw(t, "wrong type")
	return a.v, a.how
}

// unknownName draws a member name n does not have: another case of one it
// has (JSON members are case-sensitive), or a new name.
func unknownName(t *rapid.T, n *Node) string {
	var cands []string
	for _, m := range n.Members {
		r := []rune(m.Name)
		r[0] = unicode.ToLower(r[0])
		cands = append(cands, string(r), strings.ToLower(m.Name), strings.ToUpper(m.Name), m.Name+" ")
	}
	cands = append(cands, "Unknown", "__type", "x", "")
	cands = slices.DeleteFunc(cands, func(c string) bool { return n.member(c) != nil })
	return rapid.SampledFrom(cands).Draw(t, "unknown member")
}

// anyJSON draws a small JSON value.
func anyJSON(t *rapid.T, depth int) any {
	k := rapid.IntRange(0, 5).Draw(t, "json kind")
	if depth == 0 {
		k %= 4
	}
	switch k {
	case 0:
		return freeString(t, 0, 8, "json string")
	case 1:
		return int64(rapid.IntRange(-5, 5).Draw(t, "json number"))
	case 2:
		return rapid.Bool().Draw(t, "json bool")
	case 3:
		return nil
	case 4:
		return []any{anyJSON(t, depth-1)}
	}
	return map[string]any{"K": anyJSON(t, depth-1)}
}

// notInEnum draws a string that is not one of n's enum values: another
// case, surrounding space, a value cut short, the empty string, a value the
// reference page lists but the model dropped, or an unknown word.
func notInEnum(t *rapid.T, n *Node, c *specs.Contract) string {
	e := n.Enum[biased(t, 0, len(n.Enum)-1, "enum base")]
	cands := []string{strings.ToLower(e), e + " ", " " + e, e[:len(e)-1], "", "UNKNOWN"}
	if spec, ok := c.Enum(n.Def); ok {
		for _, v := range spec.Values {
			if v.Drift == specs.DriftReferenceOnly {
				cands = append(cands, v.Value)
			}
		}
	}
	cands = slices.DeleteFunc(cands, func(s string) bool { return slices.Contains(n.Enum, s) })
	return rapid.SampledFrom(cands).Draw(t, "not in enum")
}

// lenient returns a copy of root with the final newline of obj[name]
// dropped (the reading of a Java-style $).
func lenient(root, obj map[string]any, name string) map[string]any {
	s, _ := obj[name].(string)
	obj[name] = strings.TrimSuffix(s, "\n")
	out := deepCopy(root)
	obj[name] = s
	return out
}

// deepCopy copies a generated JSON value.
func deepCopy[V any](v V) V {
	var out any
	switch x := any(v).(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		out = m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		out = s
	default:
		return v
	}
	return out.(V)
}

func clipBytes(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%s…(%d bytes)", b[:200], len(b))
	}
	return string(b)
}
