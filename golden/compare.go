package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
)

// DiffKind classifies one difference between a golden body and a live one.
type DiffKind string

// The kinds of difference. Missing, Type, Value, Length, Party and NotJSON
// are failures; Extra and Defect are notes.
const (
	DiffMissing DiffKind = "missing"  // a member or keyed element of the golden is absent
	DiffType    DiffKind = "type"     // a value of another JSON type
	DiffValue   DiffKind = "value"    // another value: enum value, literal text, or ids related otherwise
	DiffLength  DiffKind = "length"   // an array with another number of elements
	DiffParty   DiffKind = "party"    // a party of a Type the golden lacks
	DiffNotJSON DiffKind = "not-json" // a body that is not one JSON value
	DiffExtra   DiffKind = "extra"    // a member (or resource Type) the golden lacks
	DiffDefect  DiffKind = "defect"   // a difference where the golden keeps a documented defect of its source
)

// Why an extra member or resource is a note, not a failure.
const (
	whyExtraMember   = "AWS adds output members over time; SDKs ignore them"
	whyExtraResource = "a Type the golden lacks; AWS adds resource types over time (MANAGEMENT_* beside MASTER_*)"
	whyExtraParty    = "a Type the golden lacks: a handshake's parties follow from its action"
)

// Difference is one difference found by CompareBody. Path names the place
// in the body in the syntax Lookup reads (e.g.
// "Handshake.Resources[Type=ORGANIZATION].Value", "Handshakes[1].Arn"; ""
// for the whole body); Want and Got are the normalised values as compact
// JSON ("" where absent); Why says why a note is not a failure.
type Difference struct {
	Kind DiffKind
	Path string
	Want string
	Got  string
	Why  string
	// Was is, for a defect note, the kind of failure the difference would
	// be without the documented defect.
	Was DiffKind
}

// String renders d on one line, e.g.
// `missing member Handshake.State (the golden has "ACCEPTED")` or
// `extra member Handshake.Foo (AWS adds output members over time; SDKs ignore them)`.
func (d Difference) String() string {
	where := d.Path
	if where == "" {
		where = "(body)"
	}
	kind := d.Kind
	if kind == DiffDefect && d.Was != "" {
		kind = d.Was
	}
	var s string
	switch kind {
	case DiffMissing:
		s = fmt.Sprintf("missing %s %s (the golden has %s)", memberOrElement(d.Path), where, d.Want)
	case DiffExtra:
		s = fmt.Sprintf("extra %s %s = %s", memberOrElement(d.Path), where, d.Got)
	case DiffParty:
		s = fmt.Sprintf("unexpected party %s = %s", where, d.Got)
	case DiffType:
		s = fmt.Sprintf("%s: wrong type: %s %s where the golden has %s %s", where, jsonType(d.Got), d.Got, jsonType(d.Want), d.Want)
	case DiffNotJSON:
		s = fmt.Sprintf("%s: %s", where, d.Got)
	default:
		s = fmt.Sprintf("%s: %s where the golden has %s", where, d.Got, d.Want)
	}
	if d.Why != "" {
		s += " (" + d.Why + ")"
	}
	return s
}

func memberOrElement(path string) string {
	if strings.HasSuffix(path, "]") {
		return "element"
	}
	return "member"
}

// jsonType names the JSON type of a compact JSON rendering; a timestamp
// placeholder stands for a number.
func jsonType(v string) string {
	switch {
	case v == "":
		return "nothing"
	case timestampPlaceholder.MatchString(v):
		return "a timestamp (epoch seconds)"
	case v[0] == '{':
		return "an object"
	case v[0] == '[':
		return "an array"
	case v[0] == '"':
		return "a string"
	case v == "true" || v == "false":
		return "a boolean"
	case v == "null":
		return "null"
	default:
		return "a number"
	}
}

// Comparison is the outcome of CompareBody: the differences that fail and
// those that are only noted.
type Comparison struct {
	Failures []Difference
	Notes    []Difference
}

// Failed reports whether a difference fails the comparison.
func (c Comparison) Failed() bool { return len(c.Failures) > 0 }

// String lists every difference, one a line, failures ("fail: ") first,
// then notes ("note: "); "" when the bodies agree.
func (c Comparison) String() string {
	var lines []string
	for _, d := range c.Failures {
		lines = append(lines, "fail: "+d.String())
	}
	for _, d := range c.Notes {
		lines = append(lines, "note: "+d.String())
	}
	return strings.Join(lines, "\n")
}

// NoteLines renders the notes, one string each (for a report or console).
func (c Comparison) NoteLines() []string {
	out := make([]string, 0, len(c.Notes))
	for _, d := range c.Notes {
		out = append(out, d.String())
	}
	return out
}

// CompareBody compares a live response body (got) with a golden body (want)
// after normalisation (Normalize) and returns the differences, failures
// apart from notes:
//
//   - a member of the golden missing from got, a value of another JSON type,
//     another value (enum values, literal text), an array of another length:
//     failures;
//   - a member the golden lacks: a note (AWS adds output members over time
//     and every SDK ignores them);
//   - ids, emails and account ids are compared by relation, not by value:
//     where the golden uses one id twice (a handshake's Id and the end of its
//     Arn), got must too, and where it uses two, got must use two;
//   - timestamps are compared by type only (a number, not its value);
//   - Parties, Resources and AvailablePolicyTypes are matched by Type, in
//     any order; a resource or policy type the golden lacks is a note, an
//     extra party a failure;
//   - free text is not compared, only its type: the Value of MASTER_NAME,
//     MANAGEMENT_NAME and NOTES resources, an account's Name, an error's
//     Message.
//
// An empty body reads as {} (as SDK clients read the answer of an operation
// without output); a body that is not JSON is a failure.
func CompareBody(want, got []byte) Comparison {
	return compareBodies(want, got, nil)
}

// compareBodies is CompareBody with defects: paths where the golden keeps a
// documented defect of its source, whose differences are notes.
func compareBodies(want, got []byte, defects []Defect) Comparison {
	c := &comparer{defects: defects, pairs: map[string]string{}, back: map[string]string{}, firstSeen: map[string]string{}}
	w, err := normalizedTree(want)
	if err != nil {
		c.fail(Difference{Kind: DiffNotJSON, Got: "the golden " + err.Error()})
		return c.out
	}
	g, err := normalizedTree(got)
	if err != nil {
		c.fail(Difference{Kind: DiffNotJSON, Got: err.Error()})
		return c.out
	}
	c.value("", "", nil, w, g)
	return c.out
}

// normalizedTree decodes body after Normalize; an empty body reads as {}.
func normalizedTree(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	v, err := decode(body)
	if err != nil {
		return nil, err
	}
	return normalizeValue("", v, placeholders{}), nil
}

type comparer struct {
	out     Comparison
	defects []Defect
	// pairs maps a golden placeholder to the live one first seen in its
	// place, back the reverse; firstSeen remembers where.
	pairs, back, firstSeen map[string]string
}

func (c *comparer) fail(d Difference) {
	if why, ok := c.defectAt(d.Path); ok {
		d.Was, d.Kind, d.Why = d.Kind, DiffDefect, why
		c.out.Notes = append(c.out.Notes, d)
		return
	}
	c.out.Failures = append(c.out.Failures, d)
}

func (c *comparer) note(d Difference) { c.out.Notes = append(c.out.Notes, d) }

// defectAt returns the detail of the documented defect at path or above it.
func (c *comparer) defectAt(path string) (string, bool) {
	for _, d := range c.defects {
		if d.Comparison != TreatNotCompared {
			continue
		}
		if path == d.Path || strings.HasPrefix(path, d.Path+".") || strings.HasPrefix(path, d.Path+"[") {
			return "the golden keeps a defect of its source, not compared: " + d.Detail, true
		}
	}
	return "", false
}

// value compares w and g at path; key is the member name that holds them
// and parent the object that holds that member (for the free-text rules).
func (c *comparer) value(path, key string, parent map[string]any, w, g any) {
	if ts := isTimestamp(w); ts || isTimestamp(g) {
		if !(ts && isTimestamp(g)) {
			c.fail(Difference{Kind: DiffType, Path: path, Want: render(w), Got: render(g)})
		}
		return
	}
	if kindOf(w) != kindOf(g) {
		c.fail(Difference{Kind: DiffType, Path: path, Want: render(w), Got: render(g)})
		return
	}
	switch wv := w.(type) {
	case map[string]any:
		c.object(path, wv, g.(map[string]any))
	case []any:
		c.array(path, key, wv, g.([]any))
	case string:
		if freeText(key, parent, path) {
			return
		}
		if ok, why := c.sameString(path, wv, g.(string)); !ok {
			c.fail(Difference{Kind: DiffValue, Path: path, Want: render(w), Got: render(g), Why: why})
		}
	case json.Number:
		if !sameNumber(wv, g.(json.Number)) {
			c.fail(Difference{Kind: DiffValue, Path: path, Want: render(w), Got: render(g)})
		}
	default:
		if w != g {
			c.fail(Difference{Kind: DiffValue, Path: path, Want: render(w), Got: render(g)})
		}
	}
}

func (c *comparer) object(path string, w, g map[string]any) {
	for _, k := range sortedKeys(w) {
		p := join(path, k)
		gv, ok := g[k]
		if !ok {
			c.fail(Difference{Kind: DiffMissing, Path: p, Want: render(w[k])})
			continue
		}
		c.value(p, k, w, w[k], gv)
	}
	for _, k := range sortedKeys(g) {
		if _, ok := w[k]; !ok {
			c.note(Difference{Kind: DiffExtra, Path: join(path, k), Got: render(g[k]), Why: whyExtraMember})
		}
	}
}

// keyedArrays are the arrays whose elements are matched by their Type, not
// their position: their order carries no meaning. extraIsNote says whether
// an element of a Type the golden lacks is a note (else a failure).
var keyedArrays = map[string]struct{ extraIsNote bool }{
	"Parties":              {extraIsNote: false},
	"Resources":            {extraIsNote: true},
	"AvailablePolicyTypes": {extraIsNote: true},
}

func (c *comparer) array(path, key string, w, g []any) {
	if rule, ok := keyedArrays[key]; ok && allTyped(w) && allTyped(g) {
		c.keyed(path, rule.extraIsNote, w, g)
		return
	}
	if len(w) != len(g) {
		c.fail(Difference{Kind: DiffLength, Path: path, Want: fmt.Sprintf("%d elements", len(w)), Got: fmt.Sprintf("%d elements", len(g))})
	}
	for i := 0; i < len(w) && i < len(g); i++ {
		c.value(fmt.Sprintf("%s[%d]", path, i), key, nil, w[i], g[i])
	}
}

// keyed matches the elements of w and g by Type: the n-th golden element of
// a Type with the n-th live one.
func (c *comparer) keyed(path string, extraIsNote bool, w, g []any) {
	wl, gl := typeLabels(w), typeLabels(g)
	byLabel := map[string]any{}
	for i, l := range gl {
		byLabel[l] = g[i]
	}
	seen := map[string]bool{}
	for i, l := range wl {
		p := path + "[" + l + "]"
		seen[l] = true
		gv, ok := byLabel[l]
		if !ok {
			c.fail(Difference{Kind: DiffMissing, Path: p, Want: render(w[i])})
			continue
		}
		c.value(p, "", nil, w[i], gv)
	}
	for i, l := range gl {
		if seen[l] {
			continue
		}
		d := Difference{Kind: DiffExtra, Path: path + "[" + l + "]", Got: render(g[i])}
		if extraIsNote {
			d.Why = whyExtraResource
			c.note(d)
			continue
		}
		d.Kind, d.Why = DiffParty, whyExtraParty
		c.fail(d)
	}
}

// typeLabels labels typed elements "Type=X", and the n-th (n ≥ 2) of the
// same Type "Type=X#n".
func typeLabels(list []any) []string {
	count := map[string]int{}
	out := make([]string, len(list))
	for i, v := range list {
		t := v.(map[string]any)["Type"].(string)
		count[t]++
		out[i] = "Type=" + t
		if n := count[t]; n > 1 {
			out[i] += fmt.Sprintf("#%d", n)
		}
	}
	return out
}

func allTyped(list []any) bool {
	for _, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["Type"].(string); !ok {
			return false
		}
	}
	return true
}

// freeTextResourceTypes are the resource Types whose Value is text a person
// chose (a name, a note), not a fact of the contract.
var freeTextResourceTypes = map[string]bool{"MASTER_NAME": true, "MANAGEMENT_NAME": true, "NOTES": true}

// freeText reports whether the string member key of parent (at path) is
// free text, compared by type only.
func freeText(key string, parent map[string]any, path string) bool {
	switch key {
	case "Value":
		t, _ := parent["Type"].(string)
		return freeTextResourceTypes[t]
	case "Name":
		return strings.HasPrefix(path, "Accounts[") || strings.HasPrefix(path, "Account.")
	case "Message", "message":
		return !strings.Contains(path, ".") // an error body's own message
	}
	return false
}

// placeholder finds the placeholders Normalize writes.
var placeholder = regexp.MustCompile(`<([A-Z_]+)_([0-9]+)>`)

var timestampPlaceholder = regexp.MustCompile(`^"?<` + kindTimestamp + `_[0-9]+>"?$`)

func isTimestamp(v any) bool {
	s, ok := v.(string)
	return ok && timestampPlaceholder.MatchString(s)
}

// sameString compares two normalised strings: the text between
// placeholders must be equal and each golden placeholder must stand for the
// same live placeholder wherever it occurs (and no two golden placeholders
// for one live placeholder). A failed relation is explained in why.
func (c *comparer) sameString(path, w, g string) (ok bool, why string) {
	wt, gt := splitPlaceholders(w), splitPlaceholders(g)
	if len(wt) != len(gt) {
		return false, ""
	}
	for i := range wt {
		if wt[i].placeholder != gt[i].placeholder {
			return false, ""
		}
		if !wt[i].placeholder {
			if wt[i].text != gt[i].text {
				return false, ""
			}
			continue
		}
		if ok, why := c.pair(path, wt[i].text, gt[i].text); !ok {
			return false, why
		}
	}
	return true, ""
}

// pair records that golden placeholder w stands for live placeholder g and
// reports whether that agrees with every earlier pairing.
func (c *comparer) pair(path, w, g string) (ok bool, why string) {
	if placeholderKind(w) != placeholderKind(g) {
		return false, ""
	}
	if prev, seen := c.pairs[w]; seen && prev != g {
		return false, fmt.Sprintf("the golden's %s stood for %s at %s", w, prev, c.firstSeen[w])
	}
	if prev, seen := c.back[g]; seen && prev != w {
		return false, fmt.Sprintf("%s already stood for the golden's %s at %s, a different value", g, prev, c.firstSeen[prev])
	}
	if _, seen := c.pairs[w]; !seen {
		c.pairs[w], c.back[g], c.firstSeen[w] = g, w, path
	}
	return true, ""
}

func placeholderKind(p string) string {
	m := placeholder.FindStringSubmatch(p)
	if m == nil {
		return ""
	}
	return m[1]
}

type segment struct {
	text        string
	placeholder bool
}

func splitPlaceholders(s string) []segment {
	var out []segment
	last := 0
	for _, loc := range placeholder.FindAllStringIndex(s, -1) {
		if loc[0] > last {
			out = append(out, segment{text: s[last:loc[0]]})
		}
		out = append(out, segment{text: s[loc[0]:loc[1]], placeholder: true})
		last = loc[1]
	}
	if last < len(s) || len(out) == 0 {
		out = append(out, segment{text: s[last:]})
	}
	return out
}

func sameNumber(a, b json.Number) bool {
	x, okx := new(big.Float).SetString(a.String())
	y, oky := new(big.Float).SetString(b.String())
	if !okx || !oky {
		return a == b
	}
	return x.Cmp(y) == 0
}

// kindOf names the JSON type of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// maxRendered bounds a value rendered in a Difference.
const maxRendered = 200

// render returns v as compact JSON, shortened to maxRendered runes.
func render(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > maxRendered {
		s = string(r[:maxRendered]) + "…"
	}
	return s
}
