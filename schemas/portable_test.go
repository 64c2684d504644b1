package schemas

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// JSON Schema 2020-12 (core, "Regular Expressions") asks schema authors to
// keep to a subset of ECMA-262 that every implementation reads alike:
// individual characters, simple and range character classes and their
// complements, the quantifiers * + ? {x} {x,} {x,y} and their lazy forms,
// the anchors ^ and $, simple grouping and alternation. nonPortable reports
// every construct of a pattern outside that subset. Escapes of the
// characters with a meaning in a pattern (and "/", and "-" inside a class)
// are individual characters, as are the control escapes \t \n \v \f \r,
// which ECMA-262, Python's re and Go's regexp read alike.
func nonPortable(pattern string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	rs := []rune(pattern)
	inClass, classStart, atom := false, false, false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' {
			if i+1 == len(rs) {
				add("a trailing backslash")
				break
			}
			i++
			e := rs[i]
			switch {
			case strings.ContainsRune(`^$\.*+?()[]{}|/`, e), e == '-' && inClass, strings.ContainsRune("tnvfr", e):
			default:
				add(`\%c: %s`, e, escapeWhy(e))
			}
			classStart, atom = false, !inClass
			continue
		}
		if inClass {
			switch {
			case r == ']' && !classStart:
				inClass, atom = false, true
			case r == ']':
				add("] first in a character class")
			case r == '[':
				add("[ inside a character class (nested sets and POSIX classes such as [:alpha:] are not portable)")
			}
			classStart = false
			continue
		}
		switch r {
		case '[':
			inClass, classStart = true, true
			if i+1 < len(rs) && rs[i+1] == '^' {
				i++
			}
		case '(':
			if i+1 < len(rs) && rs[i+1] == '?' {
				add("(?…) group (non-capturing, named, look-around or flag groups): use a simple group")
			}
			atom = false
		case ')':
			atom = true
		case '*', '+', '?':
			if !atom {
				add("quantifier %c without an atom before it", r)
			}
			i = quantifierSuffix(rs, i, add)
			atom = false
		case '{':
			j := i
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j == len(rs) || !rangeQuantifier.MatchString(string(rs[i:j+1])) {
				add("{ that is not a range quantifier {x}, {x,} or {x,y} (write \\{ for the character)")
				atom = true
				continue
			}
			if !atom {
				add("range quantifier without an atom before it")
			}
			i = quantifierSuffix(rs, j, add)
			atom = false
		case '}', ']':
			add("unbalanced %c (write \\%c for the character)", r, r)
		case '.':
			add(". (which line terminators it matches differs between engines): use a character class")
			atom = true
		case '^', '$', '|':
			atom = false
		default:
			atom = true
		}
	}
	if inClass {
		add("an unterminated character class")
	}
	if _, err := regexp.Compile(pattern); err != nil {
		add("Go's regexp refuses it: %v", err)
	}
	return out
}

var rangeQuantifier = regexp.MustCompile(`^\{[0-9]+(,[0-9]*)?\}$`)

// quantifierSuffix accepts a lazy "?" after the quantifier ending at i and
// reports a possessive "+"; it returns the index of the last rune consumed.
func quantifierSuffix(rs []rune, i int, add func(string, ...any)) int {
	if i+1 < len(rs) && rs[i+1] == '?' {
		return i + 1
	}
	if i+1 < len(rs) && rs[i+1] == '+' {
		add("possessive quantifier %c+", rs[i])
		return i + 1
	}
	return i
}

// escapeWhy says why a class or assertion escape is not portable.
func escapeWhy(e rune) string {
	switch e {
	case 'd', 'D':
		return "Python's re and .NET read \\d as any Unicode decimal digit, ECMA-262 and Go as [0-9]: write [0-9]"
	case 's', 'S':
		return "engines disagree on which characters are white space: write them out"
	case 'w', 'W', 'b', 'B':
		return "engines disagree on which characters make words"
	case 'p', 'P':
		return "Unicode property classes: Python's re has none, ECMA-262 only with the u flag"
	case 'u', 'x':
		return "Go's regexp reads no \\u and ECMA-262 no \\x{…}: write the character itself (JSON can escape it)"
	case 'A', 'z', 'Z', 'G':
		return "an anchor outside ECMA-262: use ^ and $"
	}
	if e >= '0' && e <= '9' {
		return "a back-reference or octal escape"
	}
	return "an identity escape ECMA-262 refuses with the u flag: write the character itself"
}

// patternsOf returns every regular expression of a schema document: the
// values of "pattern" and the keys of "patternProperties", by JSON Pointer.
func patternsOf(doc any, at string, out map[string]string) {
	switch x := doc.(type) {
	case map[string]any:
		for k, v := range x {
			p := at + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			if s, ok := v.(string); ok && k == "pattern" {
				out[p] = s
			}
			if pp, ok := v.(map[string]any); ok && k == "patternProperties" {
				for re := range pp {
					out[p+"/"+re] = re
				}
			}
			patternsOf(v, p, out)
		}
	case []any:
		for i, v := range x {
			patternsOf(v, fmt.Sprintf("%s/%d", at, i), out)
		}
	}
}

func TestSchemaPatternsArePortable(t *testing.T) {
	names, err := Names()
	require.NoError(t, err)
	n := 0
	for _, name := range names {
		data, err := fs.ReadFile(FS(), name)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(data, &doc), name)
		found := map[string]string{}
		patternsOf(doc, "", found)
		for at, p := range found {
			n++
			assert.Empty(t, nonPortable(p), "%s#%s: %q is not in the portable regular-expression subset", name, at, p)
		}
	}
	assert.Greater(t, n, 25, "the scan found the schemas' patterns")
}

func TestNonPortableFindsEachConstruct(t *testing.T) {
	for pattern, want := range map[string]string{
		`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`: `\p`,
		`^\d{12}$`:                        `\d`,
		`[^\s@]+@[^\s@]+\.[^\s@]+`:        `\s`,
		`^\w+$`:                           `\w`,
		`\bword\b`:                        `\b`,
		`^(?:[A-Za-z0-9_.]+#)?X$`:         "(?…) group",
		`^(?<name>a)$`:                    "(?…) group",
		`(?i)abc`:                         "(?…) group",
		`^X(:.*)?$`:                       ". (which",
		`^o-\/ou\-x$`:                     `\-: an identity escape`,
		`^a*+$`:                           "possessive",
		`^[[:alpha:]]$`:                   "[ inside a character class",
		`^\x41$`:                          `\x`,
		`^\u0041$`:                        `\u`,
		`^(a)\1$`:                         "back-reference",
		`\Aabc\z`:                         "anchor outside ECMA-262",
		`^a{2,1$`:                         "not a range quantifier",
		`^a}$`:                            "unbalanced }",
		`^[abc$`:                          "unterminated character class",
		`^*a$`:                            "without an atom",
		`abc\`:                            "trailing backslash",
		`^[]a]$`:                          "] first",
	} {
		problems := nonPortable(pattern)
		if assert.NotEmpty(t, problems, pattern) {
			assert.Contains(t, strings.Join(problems, "\n"), want, pattern)
		}
	}
	for _, ok := range []string{
		`^h-[0-9a-z]{8,32}$`,
		`^arn:aws:organizations::[0-9]{12}:handshake\/o-[a-z0-9]{10,32}\/[a-z_]{1,32}\/h-[0-9a-z]{8,32}`,
		`^([A-Za-z0-9_.]+#)?HandshakeNotFoundException(:|$)`,
		"^([A-Za-z0-9 _.:/=+\\-@\u00a0-\U0010ffff]*)$",
		`[^\t\n\v\f\r @]+@[^\t\n\v\f\r @]+\.[^\t\n\v\f\r @]+`,
		`^a+?b*?c??d{2}e{2,}?f{1,3}$`,
		`^(ab|cd)*$`,
		`^[^a-z\]\-]$`,
		`^\{\}\[\]\(\)\.\*\+\?\|\^\$\\$`,
	} {
		assert.Empty(t, nonPortable(ok), ok)
	}
}

// portableRewrites are the changes that turn the model's patterns (as
// specs/shapes.json keeps them) into the portable ones of defs.schema.json,
// in order. README.md says where each widens or narrows the language.
var portableRewrites = []struct{ model, portable string }{
	{`[\p{L}\p{Z}\p{N}_.:/=+\-@]`, "[A-Za-z0-9 _.:/=+\\-@\u00a0-\U0010ffff]"},
	{`[^\s@]`, `[^\t\n\v\f\r @]`},
	{`\/ou\-`, `\/ou-`},
	{`\d`, `[0-9]`},
}

// portablePattern rewrites a model pattern into its portable form.
func portablePattern(model string) string {
	for _, r := range portableRewrites {
		model = strings.ReplaceAll(model, r.model, r.portable)
	}
	return model
}

// The portable patterns keep the model's language where the README says
// they do: equal on every ASCII character, and where they differ, only in
// the direction the README states.
func TestPortablePatternsKeepTheModelsLanguage(t *testing.T) {
	defs := readDoc(t, DefsFile)["$defs"].(map[string]any)
	pattern := func(name string) *regexp.Regexp {
		return regexp.MustCompile(defs[name].(map[string]any)["pattern"].(string))
	}
	// Model patterns of service-2.json (Go's regexp reads \p and \d as
	// ECMA-262 does with the u flag).
	tagModel := regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	tag := pattern("TagKey")
	assert.Equal(t, tag.String(), pattern("TagValue").String())
	assert.Equal(t, portablePattern(tagModel.String()), tag.String())
	widened := 0
	for r := rune(0); r <= 0x10ffff; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		s := "k" + string(r)
		m, p := tagModel.MatchString(s), tag.MatchString(s)
		switch {
		case r < 0x80:
			assert.Equal(t, m, p, "ASCII %q", r)
		case r < 0xa0:
			assert.False(t, m || p, "C1 control %U", r)
		case m && !p:
			t.Errorf("TagKey narrows: the model accepts %U, the portable pattern does not", r)
		case p && !m:
			widened++
		}
	}
	assert.Greater(t, widened, 0, "non-ASCII punctuation and symbols are the stated widening")
	assert.True(t, tag.MatchString("k€") && !tagModel.MatchString("k€"), "€ is a symbol: widened")
	assert.True(t, tag.MatchString("équipe") && tagModel.MatchString("équipe"))

	emailModelECMA := regexp.MustCompile("[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff@]+@[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff@]+\\.[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff@]+")
	email := pattern("Email")
	for _, s := range []string{"a@b.co", "juan@example.com", "a b@c.de", "a@b c.de", "a@b\t.de", "a@b\v.de", "ab@c", "@b.co"} {
		assert.Equal(t, emailModelECMA.MatchString(s), email.MatchString(s), "%q", s)
	}
	assert.True(t, email.MatchString("a@b\u00a0.co") && !emailModelECMA.MatchString("a@b\u00a0.co"), "non-ASCII space: the stated widening")

	for _, name := range []string{"AccountId", "AccountArn", "HandshakeArn", "OrganizationArn", "Path"} {
		p := pattern(name)
		assert.NotContains(t, p.String(), `\d`, name)
		assert.False(t, p.MatchString("١٢٣٤٥٦٧٨٩٠١٢"), "%s: Arabic-Indic digits", name)
	}
	assert.True(t, pattern("AccountId").MatchString("123456789012"))
	assert.True(t, pattern("Path").MatchString("o-aa11bb22cc/r-ab12/ou-ab12-cd34ef56/123456789012/"))

	errOld := regexp.MustCompile(`^(?:[A-Za-z0-9_.]+#)?HandshakeNotFoundException(?::.*)?$`)
	errNew := regexp.MustCompile(readDoc(t, ErrorFile("HandshakeNotFoundException"))["properties"].(map[string]any)["__type"].(map[string]any)["pattern"].(string))
	for _, s := range []string{"HandshakeNotFoundException", "aws.organizations#HandshakeNotFoundException", "HandshakeNotFoundException:http://internal.amazon.com/coral/",
		"HandshakeNotFoundExceptionX", "XHandshakeNotFoundException", "a#b#HandshakeNotFoundException", "HandshakeNotFoundException "} {
		assert.Equal(t, errOld.MatchString(s), errNew.MatchString(s), s)
	}
	assert.True(t, errNew.MatchString("HandshakeNotFoundException:a\nb") && !errOld.MatchString("HandshakeNotFoundException:a\nb"), "a line break after the colon: the stated widening")
}
