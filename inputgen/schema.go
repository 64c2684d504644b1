package inputgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/schemas"
)

// Node is one shape of a request schema with its $refs resolved: an object
// with members, an array, a string or an integer, and its constraints.
type Node struct {
	Def  string // the $defs name it came from ("HandshakeId"), "" for inline shapes
	Type string // "object", "array", "string" or "integer"

	// object
	Members   []*Member  // sorted by name
	Exclusive [][]string // groups of members that must not all be present (not: {required: [...]})

	// array
	Items *Node

	// string
	MinLength, MaxLength *int
	Pattern              *Pattern
	Enum                 []string

	// integer
	Minimum, Maximum *int64
}

// Member is one property of an object node.
type Member struct {
	Name     string
	Required bool
	Node     *Node
}

// member returns the member name, or nil.
func (n *Node) member(name string) *Member {
	for _, m := range n.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// ignoredKeywords carry no constraint on a request value.
var ignoredKeywords = []string{"$schema", "$comment", "title", "description"}

// loadRequest reads schemas/<op>/request.schema.json into a Node tree.
func loadRequest(op string) (*Node, error) {
	doc, err := schemas.Document(schemas.RequestFile(op))
	if err != nil {
		return nil, fmt.Errorf("inputgen: %s: %w", op, err)
	}
	defsDoc, err := schemas.Document(schemas.DefsFile)
	if err != nil {
		return nil, fmt.Errorf("inputgen: %w", err)
	}
	defs, _ := asObject(defsDoc)["$defs"].(map[string]any)
	r := &resolver{defs: defs, seen: map[string]*Node{}}
	n, err := r.node(doc, "", "")
	if err != nil {
		return nil, fmt.Errorf("inputgen: %s: %w", schemas.RequestFile(op), err)
	}
	if n.Type != "object" {
		return nil, fmt.Errorf("inputgen: %s: the request body is a %s, not an object", schemas.RequestFile(op), n.Type)
	}
	return n, nil
}

// resolver turns schema documents into Nodes, one Node per $defs entry.
type resolver struct {
	defs map[string]any
	seen map[string]*Node
}

// refPrefixes are the $ref forms the request schemas use: into
// defs.schema.json from an operation's folder, and within it.
var refPrefixes = []string{"../" + schemas.DefsFile + "#/$defs/", "#/$defs/"}

func (r *resolver) node(doc any, def, at string) (*Node, error) {
	obj := asObject(doc)
	if obj == nil {
		return nil, fmt.Errorf("%s: a schema must be an object", where(at))
	}
	if ref, ok := obj["$ref"].(string); ok {
		if len(obj) > 1+countIgnored(obj) {
			return nil, fmt.Errorf("%s: $ref beside other keywords is not supported", where(at))
		}
		return r.ref(ref, at)
	}
	n := &Node{Def: def}
	n.Type, _ = obj["type"].(string)
	for key, v := range obj {
		var err error
		switch key {
		case "type":
			if !slices.Contains([]string{"object", "array", "string", "integer"}, n.Type) {
				err = fmt.Errorf("type %v is not supported", v)
			}
		case "properties", "required", "not":
			// read below, once the type is known
		case "items":
			n.Items, err = r.node(v, "", at+"[]")
		case "minLength":
			n.MinLength, err = intPtr(v)
		case "maxLength":
			n.MaxLength, err = intPtr(v)
		case "minimum":
			n.Minimum, err = int64Ptr(v)
		case "maximum":
			n.Maximum, err = int64Ptr(v)
		case "pattern":
			s, _ := v.(string)
			n.Pattern, err = ParsePattern(s)
		case "enum":
			for _, e := range asSlice(v) {
				s, ok := e.(string)
				if !ok {
					err = fmt.Errorf("enum value %v is not a string", e)
					break
				}
				n.Enum = append(n.Enum, s)
			}
		default:
			if !slices.Contains(ignoredKeywords, key) {
				err = fmt.Errorf("keyword %q is not supported", key)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where(at), err)
		}
	}
	if n.Type == "object" {
		if err := r.object(n, obj, at); err != nil {
			return nil, err
		}
	}
	if n.Type == "array" && n.Items == nil {
		return nil, fmt.Errorf("%s: an array without items is not supported", where(at))
	}
	return n, nil
}

// object reads properties, required and not: {required: [...]}.
func (r *resolver) object(n *Node, obj map[string]any, at string) error {
	props := asObject(obj["properties"])
	required := map[string]bool{}
	for _, v := range asSlice(obj["required"]) {
		name, _ := v.(string)
		if _, ok := props[name]; !ok {
			return fmt.Errorf("%s: required member %q has no schema", where(at), name)
		}
		required[name] = true
	}
	for _, name := range sortedKeys(props) {
		child, err := r.node(props[name], "", join(at, name))
		if err != nil {
			return err
		}
		n.Members = append(n.Members, &Member{Name: name, Required: required[name], Node: child})
	}
	if not, ok := obj["not"]; ok {
		inner := asObject(not)
		group := asSlice(inner["required"])
		if len(inner) != 1 || len(group) < 2 {
			return fmt.Errorf("%s: only not: {required: [two or more members]} is supported", where(at))
		}
		var names []string
		for _, v := range group {
			name, _ := v.(string)
			if n.member(name) == nil {
				return fmt.Errorf("%s: exclusive member %q has no schema", where(at), name)
			}
			names = append(names, name)
		}
		n.Exclusive = append(n.Exclusive, names)
	}
	return nil
}

// ref resolves a $ref into defs.schema.json, once per definition (the
// request schemas have no recursive shapes; a cycle is refused).
func (r *resolver) ref(ref, at string) (*Node, error) {
	var name string
	for _, p := range refPrefixes {
		if rest, ok := strings.CutPrefix(ref, p); ok {
			name = rest
		}
	}
	if name == "" {
		return nil, fmt.Errorf("%s: $ref %q is not into %s", where(at), ref, schemas.DefsFile)
	}
	if n, ok := r.seen[name]; ok {
		if n == nil {
			return nil, fmt.Errorf("%s: $ref %q is recursive", where(at), ref)
		}
		return n, nil
	}
	def, ok := r.defs[name]
	if !ok {
		return nil, fmt.Errorf("%s: $ref %q names no definition", where(at), ref)
	}
	r.seen[name] = nil
	n, err := r.node(def, name, at)
	if err != nil {
		return nil, err
	}
	r.seen[name] = n
	return n, nil
}

// Pattern is a schema pattern: its source, Go's compiled form (the engine
// the schema validator uses) and its syntax tree for the generators.
type Pattern struct {
	Source string
	re     *regexp.Regexp
	tree   *rnode
}

// Match reports whether s matches the pattern (Go's regexp, as the schema
// validator reads it: unanchored unless the pattern anchors itself).
func (p *Pattern) Match(s string) bool { return p.re.MatchString(s) }

func asObject(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any           { s, _ := v.([]any); return s }

func countIgnored(obj map[string]any) int {
	n := 0
	for _, k := range ignoredKeywords {
		if _, ok := obj[k]; ok {
			n++
		}
	}
	return n
}

func intPtr(v any) (*int, error) {
	p, err := int64Ptr(v)
	if err != nil {
		return nil, err
	}
	i := int(*p)
	return &i, nil
}

func int64Ptr(v any) (*int64, error) {
	num, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("%v is not a number", v)
	}
	i, err := num.Int64()
	if err != nil {
		return nil, fmt.Errorf("%v is not an integer", v)
	}
	return &i, nil
}

// join appends a member name to a dotted path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func where(at string) string {
	if at == "" {
		return "(body)"
	}
	return at
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
