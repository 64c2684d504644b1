package inputgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Valid returns a generator of valid request bodies of op; it panics when
// op is not an operation of specs (a programming error, like
// regexp.MustCompile's). See Op.Valid.
func Valid(op string) *rapid.Generator[[]byte] { return must(op).Valid() }

// Broken returns a generator of request bodies of op that break one
// constraint; it panics when op is not an operation of specs. See Op.Broken.
func Broken(op string) *rapid.Generator[Case] { return must(op).Broken() }

func must(op string) *Op {
	o, err := For(op)
	if err != nil {
		panic(err)
	}
	return o
}

// Valid returns a generator of valid request bodies (compact JSON):
// optional members present and absent, nested shapes and lists, enum
// values, strings drawn from their pattern, lengths, repetition counts and
// numbers biased to their bounds. Strings stay in the Basic Multilingual
// Plane, so that their length is the same counted in code points (JSON
// Schema) and in UTF-16 units (a Java service). Rules the model documents
// but the schemas do not carry (semanticRules) are kept too, so that a
// valid body is valid to the service, not only to the schema.
func (o *Op) Valid() *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		if len(o.root.Members) == 0 {
			// Nothing to draw but the spelling of the empty object.
			return []byte(rapid.SampledFrom([]string{"{}", "{ }", " {}\n"}).Draw(t, "empty object"))
		}
		return marshal(o.validValue(t, o.root, ""))
	})
}

// semanticRules are rules the model's documentation states that the
// request schemas do not: a generated valid value of the named definition
// must pass its rule.
var semanticRules = map[string]func(any) bool{
	// Tag keys are unique per resource (DUPLICATE_TAG_KEY).
	"Tags": func(v any) bool {
		seen := map[string]bool{}
		for _, item := range v.([]any) {
			k, _ := item.(map[string]any)["Key"].(string)
			if seen[k] {
				return false
			}
			seen[k] = true
		}
		return true
	},
	// Keys starting with aws: are system tags (INVALID_SYSTEM_TAGS_PARAMETER).
	"TagKey": func(v any) bool { return !strings.HasPrefix(strings.ToLower(v.(string)), "aws:") },
}

// maxItems bounds generated lists.
const maxItems = 3

// validValue draws a valid value of n.
func (o *Op) validValue(t *rapid.T, n *Node, path string) any {
	for range 20 {
		v := o.drawValid(t, n, path)
		if rule, ok := semanticRules[n.Def]; !ok || rule(v) {
			return v
		}
	}
	t.Skipf("no value of %s at %s passed its semantic rule", n.Def, where(path))
	return nil
}

func (o *Op) drawValid(t *rapid.T, n *Node, path string) any {
	switch n.Type {
	case "object":
		obj := map[string]any{}
		for _, m := range n.Members {
			p := join(path, m.Name)
			if m.Required || rapid.Bool().Draw(t, p+" present") {
				obj[m.Name] = o.validValue(t, m.Node, p)
			}
		}
		for _, group := range n.Exclusive {
			var present []string
			for _, name := range group {
				if _, ok := obj[name]; ok {
					present = append(present, name)
				}
			}
			if len(present) == len(group) {
				delete(obj, rapid.SampledFrom(present).Draw(t, path+" exclusive drop"))
			}
		}
		return obj
	case "array":
		items := []any{}
		for i := range biased(t, 0, maxItems, path+" items") {
			items = append(items, o.validValue(t, n.Items, fmt.Sprintf("%s[%d]", path, i)))
		}
		return items
	case "integer":
		lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
		if n.Minimum != nil {
			lo = *n.Minimum
		}
		if n.Maximum != nil {
			hi = *n.Maximum
		}
		return int64(biased(t, int(lo), int(hi), path))
	}
	return validString(t, n, path)
}

// validString draws a valid string of n: one that matches the pattern AWS
// enforces (servicePattern) where the schema's is wider.
func validString(t *rapid.T, n *Node, path string) string {
	if len(n.Enum) > 0 {
		return n.Enum[biased(t, 0, len(n.Enum)-1, path+" enum")]
	}
	lo, hi := 0, -1
	if n.MinLength != nil {
		lo = *n.MinLength
	}
	if n.MaxLength != nil {
		hi = *n.MaxLength
	}
	if p := servicePattern(n); p != nil {
		return p.Matching(lo, hi).Draw(t, path)
	}
	if n.Pattern != nil {
		return n.Pattern.Matching(lo, hi).Draw(t, path)
	}
	return freeString(t, lo, hi, path)
}

// softLength bounds the lengths drawn between the boundaries of a long
// string (a NextToken may have 100000 runes: the maximum is drawn, but the
// lengths in between stay short).
const softLength = 64

// freeString draws a string of lo to hi runes (hi < 0: no limit), biased to
// the bounds; long strings repeat a short drawn chunk.
func freeString(t *rapid.T, lo, hi int, label string) string {
	top := hi
	if top < 0 {
		top = lo + softLength
	}
	var length int
	switch rapid.IntRange(0, 4).Draw(t, label+" length bias") {
	case 0:
		length = lo
	case 1:
		length = top
	case 2:
		length = min(lo+1, top)
	case 3:
		length = max(top-1, lo)
	default:
		length = rapid.IntRange(lo, min(top, lo+softLength)).Draw(t, label+" length")
	}
	if length == 0 {
		return ""
	}
	chunk := make([]rune, rapid.IntRange(1, min(length, 16)).Draw(t, label+" chunk"))
	for i := range chunk {
		chunk[i] = freeRune(t, false)
	}
	out := make([]rune, length)
	for i := range out {
		out[i] = chunk[i%len(chunk)]
	}
	return string(out)
}

// marshal renders v as compact JSON without HTML escaping.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("inputgen: marshal %T: %v", v, err)) // generated values are always JSON
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// runeLen counts runes.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// servicePatterns caches servicePattern's answers by definition name (a nil
// *Pattern where there is none).
var servicePatterns sync.Map

// servicePattern is the pattern specs/shapes.json gives n's definition
// when it is not the schema's (TestSpecPatternsParse shows every one
// parses): today the model's tag patterns (\p{L}\p{Z}\p{N} and a few
// ASCII signs), which schemas/ writes in a portable form that admits
// other non-ASCII characters too. AWS enforces the model's, so a
// valid value drawn from the portable one (a "€") would be refused, and a
// check that broke another member would see that refusal instead of its
// own. The model's pattern lies within the portable one, so a value that
// breaks the portable pattern breaks both.
func servicePattern(n *Node) *Pattern {
	if n.Def == "" || n.Pattern == nil {
		return nil
	}
	if p, ok := servicePatterns.Load(n.Def); ok {
		return p.(*Pattern)
	}
	var p *Pattern
	if t, err := loadTable(); err == nil {
		if sc, ok := t.contract.Scalars[n.Def]; ok && sc.Pattern != "" && sc.Pattern != n.Pattern.Source {
			p, _ = ParsePattern(sc.Pattern)
		}
	}
	servicePatterns.Store(n.Def, p)
	return p
}
