package inputgen

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/schemas"
)

// schemaPatterns returns every pattern of defs.schema.json by definition.
func schemaPatterns(t *testing.T) map[string]string {
	doc, err := schemas.Document(schemas.DefsFile)
	require.NoError(t, err)
	out := map[string]string{}
	for name, def := range asObject(asObject(doc)["$defs"]) {
		if p, ok := asObject(def)["pattern"].(string); ok {
			out[name] = p
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestEverySchemaPatternParses(t *testing.T) {
	for name, src := range schemaPatterns(t) {
		_, err := ParsePattern(src)
		assert.NoError(t, err, name)
	}
}

func TestUnsupportedPatternsAreRefused(t *testing.T) {
	for _, src := range []string{`\bword`, `(?i)abc`, `[`} {
		_, err := ParsePattern(src)
		assert.Error(t, err, src)
	}
}

// TestMatchingAndNotMatching checks, for every schema pattern, that every
// generated string matches it and every broken one does not, with Go's
// regexp (the schema validator's engine) compiled independently here.
func TestMatchingAndNotMatching(t *testing.T) {
	for name, src := range schemaPatterns(t) {
		p, err := ParsePattern(src)
		require.NoError(t, err)
		re := regexp.MustCompile(src)
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := p.Matching(0, 200).Draw(t, "matching")
				if !re.MatchString(s) || utf8.RuneCountInString(s) > 200 {
					t.Fatalf("%q: does not match %s within 200 runes", s, src)
				}
				for _, r := range s {
					if r > 0xFFFF {
						t.Fatalf("%q: rune %U outside the Basic Multilingual Plane", s, r)
					}
				}
				m := p.NotMatching(200).Draw(t, "not matching")
				if re.MatchString(m.S) {
					t.Fatalf("%q (%s) matches %s", m.S, m.How, src)
				}
			})
		})
	}
}

// TestMatchingIsBiasedToBoundaries shows the generator reaches the shortest
// and longest HandshakeId and the first and last rune of its class.
func TestMatchingIsBiasedToBoundaries(t *testing.T) {
	p, err := ParsePattern(schemaPatterns(t)["HandshakeId"])
	require.NoError(t, err)
	g := p.Matching(0, 34)
	lengths, runes := map[int]int{}, map[rune]int{}
	for seed := range 200 {
		s := g.Example(seed)
		lengths[len(s)]++
		for _, r := range s[2:] {
			runes[r]++
		}
	}
	assert.Greater(t, lengths[10], 20, "8 repetitions, the minimum: %v", lengths)
	assert.Greater(t, lengths[34], 20, "32 repetitions, the maximum: %v", lengths)
	assert.Greater(t, lengths[11]+lengths[33], 10, "one from each bound: %v", lengths)
	for _, r := range "09az" {
		assert.Greater(t, runes[r], 20, "the ends of the class's ranges: %q seen %d times", r, runes[r])
	}
}

// TestNotMatchingUsesEveryFault shows each way of breaking a pattern occurs,
// and that runes out of class are biased to the class's neighbours.
func TestNotMatchingUsesEveryFault(t *testing.T) {
	p, err := ParsePattern(schemaPatterns(t)["HandshakeId"])
	require.NoError(t, err)
	g := p.NotMatching(34)
	seen := map[string]bool{}
	neighbours := 0
	for seed := range 300 {
		m := g.Example(seed)
		for _, how := range []string{"changed to", "dropped at", "out of class", "one repetition too few", "one repetition too many", "junk before", "junk after"} {
			if strings.Contains(m.How, how) {
				seen[how] = true
			}
		}
		for _, r := range []string{"'/'", "':'", "'`'", "'{'"} {
			if strings.Contains(m.How, "rune "+r) {
				neighbours++
			}
		}
	}
	assert.Len(t, seen, 7, "%v", seen)
	assert.Greater(t, neighbours, 5, "runes just outside [0-9a-z]")
}

func TestLengths(t *testing.T) {
	patterns := schemaPatterns(t)
	for def, want := range map[string][2]int{
		"HandshakeId":     {10, 34},
		"AccountId":       {12, 12},
		"TagKey":          {0, -1},
		"Email":           {5, -1},
		"OrganizationArn": {23 + 12 + 14 + 2 + 10, -1}, // "arn:aws:organizations::", 12 digits, ":organization/", "o-", 10 runes; unanchored at the end
	} {
		p, err := ParsePattern(patterns[def])
		require.NoError(t, err)
		lo, hi := p.Lengths()
		assert.Equal(t, want, [2]int{lo, hi}, def)
	}
}
