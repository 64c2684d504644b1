package inputgen

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// The regular-expression subset the generators understand: literals,
// character classes (with Unicode classes such as \p{L}), ., anchors ^ $ \A
// \z, groups, alternation and the repetitions * + ? {m,n}. Anything else
// (word boundaries, for instance) is refused when the pattern is parsed, so
// a schema change that needs more fails loudly.

// rkind is the kind of a pattern node.
type rkind int

const (
	rEmpty  rkind = iota // matches "" (also anchors and empty groups)
	rLit                 // a literal string
	rClass               // one rune of a class
	rAny                 // any rune (nl: including newline)
	rConcat              // subs in sequence
	rAlt                 // one of subs
	rRepeat              // sub min..max times (max -1: unbounded)
)

// rnode is a pattern node; site numbers the nodes a mismatch can be planted
// at (literals, classes, dots, repetitions), in pattern order.
type rnode struct {
	kind     rkind
	runes    []rune    // rLit
	ranges   [][2]rune // rClass, sorted and disjoint
	nl       bool      // rAny matches newline
	subs     []*rnode
	min, max int
	site     int
}

// ParsePattern parses a schema pattern (Perl syntax, as Go's regexp reads
// it) into the subset the generators understand.
func ParsePattern(src string) (*Pattern, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	syn, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	sites := 0
	tree, err := convert(syn, &sites)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	return &Pattern{Source: src, re: re, tree: tree}, nil
}

// convert maps a syntax tree to rnodes.
func convert(re *syntax.Regexp, sites *int) (*rnode, error) {
	site := func(n *rnode) *rnode { n.site = *sites; *sites++; return n }
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return &rnode{kind: rEmpty, site: -1}, nil
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, fmt.Errorf("case-insensitive literals are not supported")
		}
		return site(&rnode{kind: rLit, runes: append([]rune(nil), re.Rune...)}), nil
	case syntax.OpCharClass:
		n := &rnode{kind: rClass}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n.ranges = append(n.ranges, [2]rune{re.Rune[i], re.Rune[i+1]})
		}
		if len(n.ranges) == 0 {
			return nil, fmt.Errorf("an empty character class matches nothing")
		}
		return site(n), nil
	case syntax.OpAnyCharNotNL:
		return site(&rnode{kind: rAny}), nil
	case syntax.OpAnyChar:
		return site(&rnode{kind: rAny, nl: true}), nil
	case syntax.OpCapture:
		return convert(re.Sub[0], sites)
	case syntax.OpConcat, syntax.OpAlternate:
		n := &rnode{kind: rConcat, site: -1}
		if re.Op == syntax.OpAlternate {
			n.kind = rAlt
		}
		for _, s := range re.Sub {
			c, err := convert(s, sites)
			if err != nil {
				return nil, err
			}
			n.subs = append(n.subs, c)
		}
		return n, nil
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		var lo, hi int
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		default:
			lo, hi = re.Min, re.Max
		}
		n := site(&rnode{kind: rRepeat, min: lo, max: hi})
		c, err := convert(re.Sub[0], sites)
		if err != nil {
			return nil, err
		}
		n.subs = []*rnode{c}
		return n, nil
	}
	return nil, fmt.Errorf("%s is not supported", re.Op)
}

// Lengths returns the fewest and most runes a string matching the pattern
// can have; max is -1 when there is no bound (an unbounded repetition, or a
// pattern not anchored at both ends, which matches inside longer strings).
func (p *Pattern) Lengths() (min, max int) {
	min, max = lengths(p.tree)
	if !p.anchored() {
		max = -1
	}
	return min, max
}

// anchored reports whether the pattern must match the whole string.
func (p *Pattern) anchored() bool {
	return strings.HasPrefix(p.Source, "^") && strings.HasSuffix(p.Source, "$") && !strings.HasSuffix(p.Source, `\$`)
}

func lengths(n *rnode) (int, int) {
	switch n.kind {
	case rLit:
		return len(n.runes), len(n.runes)
	case rClass, rAny:
		return 1, 1
	case rConcat:
		lo, hi := 0, 0
		for _, s := range n.subs {
			a, b := lengths(s)
			lo += a
			if hi >= 0 {
				hi = addMax(hi, b)
			}
		}
		return lo, hi
	case rAlt:
		lo, hi := -1, 0
		for _, s := range n.subs {
			a, b := lengths(s)
			if lo < 0 || a < lo {
				lo = a
			}
			if hi >= 0 && (b < 0 || b > hi) {
				hi = b
			}
		}
		return max(lo, 0), hi
	case rRepeat:
		a, b := lengths(n.subs[0])
		if n.max < 0 || b < 0 {
			return a * n.min, -1
		}
		return a * n.min, b * n.max
	}
	return 0, 0
}

func addMax(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}

// defaultBudget bounds an unbounded repetition when no length limit does.
const defaultBudget = 16

// Matching returns a generator of strings that match the pattern, with
// minLen to maxLen runes (maxLen < 0: no limit; an unbounded repetition is
// then drawn up to defaultBudget times). Repetition counts are biased to
// their minimum and maximum, class runes to the first and last rune of the
// class's ranges; runes stay in the Basic Multilingual Plane where the class
// allows, so that code points (JSON Schema's length) and UTF-16 units (a Java
// service's) agree.
func (p *Pattern) Matching(minLen, maxLen int) *rapid.Generator[string] {
	budget := maxLen
	if budget < 0 {
		budget = defaultBudget
	}
	return rapid.Custom(func(t *rapid.T) string {
		g := &patternGen{t: t, budget: budget, fault: -1}
		g.gen(p.tree)
		return g.out.String()
	}).Filter(func(s string) bool {
		n := utf8.RuneCountInString(s)
		return n >= minLen && (maxLen < 0 || n <= maxLen) && p.Match(s)
	})
}

// Mismatch is a string that does not match a pattern, and how it was made.
type Mismatch struct {
	S   string
	How string // e.g. "rune '{' out of class [0-9a-z] at 7", "one repetition too many"
}

// NotMatching returns a generator of strings that do not match the pattern,
// each one step from a matching string: one rune out of its class (biased to
// the runes just outside the class's ranges), a literal changed or dropped
// (a wrong prefix), one repetition too few or too many, or junk before or
// after an anchored pattern. budget bounds unbounded repetitions as in
// Matching. Every string is checked with Go's regexp.
func (p *Pattern) NotMatching(budget int) *rapid.Generator[Mismatch] {
	if budget < 0 {
		budget = defaultBudget
	}
	var sites []*rnode
	walk(p.tree, func(n *rnode) {
		if n.site >= 0 {
			sites = append(sites, n)
		}
	})
	type fault struct {
		node *rnode
		how  string
	}
	var faults []fault
	for _, n := range sites {
		switch n.kind {
		case rLit:
			faults = append(faults, fault{n, "literal changed"}, fault{n, "literal dropped"})
		case rClass:
			faults = append(faults, fault{n, "rune out of class"})
		case rAny:
			if !n.nl {
				faults = append(faults, fault{n, "newline for ."})
			}
		case rRepeat:
			if n.min > 0 {
				faults = append(faults, fault{n, "one repetition too few"})
			}
			if n.max >= 0 {
				faults = append(faults, fault{n, "one repetition too many"})
			}
		}
	}
	if strings.HasPrefix(p.Source, "^") {
		faults = append(faults, fault{nil, "junk before"})
	}
	if strings.HasSuffix(p.Source, "$") {
		faults = append(faults, fault{nil, "junk after"})
	}
	return rapid.Custom(func(t *rapid.T) Mismatch {
		if len(faults) == 0 {
			t.Fatalf("pattern %q: no string breaks it", p.Source)
		}
		f := rapid.SampledFrom(faults).Draw(t, "fault")
		g := &patternGen{t: t, budget: budget, fault: -1}
		if f.node != nil {
			g.fault, g.how = f.node.site, f.how
		}
		g.gen(p.tree)
		s, how := g.out.String(), g.how
		switch {
		case f.node == nil:
			junk := string(rapid.SampledFrom(interestingRunes).Draw(t, "junk"))
			if f.how == "junk before" {
				s = junk + s
			} else {
				s += junk
			}
			how = fmt.Sprintf("%s: %q", f.how, junk)
		case f.node.kind != rRepeat:
			if len(g.spans) == 0 {
				return Mismatch{S: s, How: "(fault site not reached)"} // filtered below
			}
			sp := g.spans[biased(t, 0, len(g.spans)-1, "occurrence")]
			s, how = g.mutate(s, sp, f.node, p)
		}
		return Mismatch{S: s, How: how}
	}).Filter(func(m Mismatch) bool { return utf8.ValidString(m.S) && !p.Match(m.S) })
}

// span is where one visit of the fault site wrote its runes.
type span struct{ from, to int } // byte offsets

// patternGen draws one string from a pattern tree.
type patternGen struct {
	t       *rapid.T
	budget  int
	out     strings.Builder
	fault   int    // site to break (-1: none)
	how     string // what was done at the site
	applied bool   // a repetition fault was applied (once)
	spans   []span // visits of the fault site (literals, classes, dots)
}

func (g *patternGen) gen(n *rnode) {
	start := g.out.Len()
	switch n.kind {
	case rLit:
		g.out.WriteString(string(n.runes))
	case rClass:
		g.out.WriteRune(inClass(g.t, n))
	case rAny:
		g.out.WriteRune(freeRune(g.t, !n.nl))
	case rConcat:
		for _, s := range n.subs {
			g.gen(s)
		}
	case rAlt:
		g.gen(n.subs[rapid.IntRange(0, len(n.subs)-1).Draw(g.t, "alternative")])
	case rRepeat:
		hi := n.max
		if hi < 0 {
			// Unbounded: as many as the runes left in the budget allow.
			sub, _ := lengths(n.subs[0])
			left := g.budget - utf8.RuneCountInString(g.out.String())
			hi = n.min + max(0, left)/max(1, sub)
		}
		count := biased(g.t, n.min, hi, "repetitions")
		breakHere := n.site == g.fault && !g.applied
		if breakHere {
			g.applied = true
			if g.how == "one repetition too few" {
				count = n.min - 1
			} else {
				count = n.max + 1
			}
		}
		for range count {
			g.gen(n.subs[0])
		}
		if breakHere {
			g.how = fmt.Sprintf("%s (%d, pattern allows %s)", g.how, count, repRange(n))
		}
	}
	if n.site == g.fault && n.kind != rRepeat {
		g.spans = append(g.spans, span{start, g.out.Len()})
	}
}

// mutate breaks the runes one visit of a literal, class or dot wrote.
func (g *patternGen) mutate(s string, sp span, n *rnode, p *Pattern) (string, string) {
	before, at, after := s[:sp.from], s[sp.from:sp.to], s[sp.to:]
	pos := utf8.RuneCountInString(before)
	switch {
	case n.kind == rLit && g.how == "literal dropped":
		return before + after, fmt.Sprintf("literal %q dropped at %d", at, pos)
	case n.kind == rLit:
		rs := []rune(at)
		i := biased(g.t, 0, len(rs)-1, "literal rune")
		old := rs[i]
		rs[i] = otherRune(g.t, old)
		return before + string(rs) + after, fmt.Sprintf("literal %q changed to %q at %d", at, string(rs), pos)
	case n.kind == rAny:
		return before + "\n" + after, fmt.Sprintf("newline for . at %d", pos)
	default:
		r := outside(g.t, n, p)
		return before + string(r) + after, fmt.Sprintf("rune %q out of class %s at %d", r, classString(n), pos)
	}
}

// biased draws an int in [lo, hi], biased to lo, hi, lo+1 and hi-1; it
// shrinks towards lo.
func biased(t *rapid.T, lo, hi int, label string) int {
	if hi <= lo {
		return lo
	}
	switch rapid.IntRange(0, 4).Draw(t, label+" bias") {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return lo + 1
	case 3:
		return hi - 1
	}
	return rapid.IntRange(lo, hi).Draw(t, label)
}

// bmpRanges clips ranges to the Basic Multilingual Plane without surrogates;
// it returns ranges itself when nothing is left.
func bmpRanges(ranges [][2]rune) [][2]rune {
	var out [][2]rune
	for _, r := range ranges {
		for _, part := range [][2]rune{{0, 0xD7FF}, {0xE000, 0xFFFF}} {
			lo, hi := max(r[0], part[0]), min(r[1], part[1])
			if lo <= hi {
				out = append(out, [2]rune{lo, hi})
			}
		}
	}
	if len(out) == 0 {
		return ranges
	}
	return out
}

// inClass draws a rune of the class: a range biased to the first and last,
// a rune in it biased to the range's ends.
func inClass(t *rapid.T, n *rnode) rune {
	rs := bmpRanges(n.ranges)
	r := rs[biased(t, 0, len(rs)-1, "range")]
	return rune(biased(t, int(r[0]), int(r[1]), "rune"))
}

// in reports whether r is in the class.
func (n *rnode) in(r rune) bool {
	for _, rg := range n.ranges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// interestingRunes are tried outside a class after its boundary neighbours:
// whitespace, controls, JSON and regex metacharacters, non-ASCII letters, an
// astral symbol.
var interestingRunes = []rune{' ', '\n', '\t', 0, '"', '\\', '/', '.', '-', '_', 'A', 'Z', 'a', 'z', '0', '9', 'é', 'ß', 'İ', '中', '\u00a0', '\u2028', '\ufeff', '😀'}

// outside draws a rune outside n's class (and, for junk around a pattern,
// one that the pattern's own classes do not all contain), biased to the
// runes just below and above the class's ranges.
func outside(t *rapid.T, n *rnode, p *Pattern) rune {
	var cands []rune
	for _, rg := range n.ranges {
		for _, r := range []rune{rg[0] - 1, rg[1] + 1} {
			if validRune(r) && !n.in(r) {
				cands = append(cands, r)
			}
		}
	}
	for _, r := range interestingRunes {
		if !n.in(r) {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		t.Fatalf("pattern %q: class %s has no rune outside it", p.Source, classString(n))
	}
	return cands[biased(t, 0, len(cands)-1, "outside rune")]
}

func validRune(r rune) bool {
	return r >= 0 && r <= unicode.MaxRune && (r < 0xD800 || r > 0xDFFF)
}

// otherRune returns a rune different from r: its other case when it has
// one, else a neighbour or an interesting rune.
func otherRune(t *rapid.T, r rune) rune {
	var cands []rune
	if u := unicode.SimpleFold(r); u != r {
		cands = append(cands, u)
	}
	for _, c := range append([]rune{r + 1, r - 1}, interestingRunes...) {
		if c != r && validRune(c) {
			cands = append(cands, c)
		}
	}
	return cands[biased(t, 0, len(cands)-1, "other rune")]
}

// freeRune draws any rune (BMP, no surrogates), biased to ASCII; noNL
// excludes the newline.
func freeRune(t *rapid.T, noNL bool) rune {
	for {
		var r rune
		switch rapid.IntRange(0, 3).Draw(t, "rune kind") {
		case 0, 1:
			r = rune(rapid.IntRange(0x20, 0x7e).Draw(t, "ascii"))
		case 2:
			r = rapid.SampledFrom(interestingRunes[:len(interestingRunes)-1]).Draw(t, "special")
		default:
			r = rune(rapid.IntRange(0xA0, 0xD7FF).Draw(t, "bmp"))
		}
		if !(noNL && r == '\n') {
			return r
		}
	}
}

func repRange(n *rnode) string {
	if n.max < 0 {
		return fmt.Sprintf("%d or more", n.min)
	}
	return fmt.Sprintf("%d to %d", n.min, n.max)
}

func classString(n *rnode) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range n.ranges {
		if i == 6 {
			fmt.Fprintf(&b, "…%d ranges", len(n.ranges))
			break
		}
		if r[0] == r[1] {
			b.WriteString(fmt.Sprintf("%q", r[0])[1 : len(fmt.Sprintf("%q", r[0]))-1])
		} else {
			fmt.Fprintf(&b, "%s-%s", strings.Trim(fmt.Sprintf("%q", r[0]), "'"), strings.Trim(fmt.Sprintf("%q", r[1]), "'"))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func walk(n *rnode, fn func(*rnode)) {
	fn(n)
	for _, s := range n.subs {
		walk(s, fn)
	}
}
