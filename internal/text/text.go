// Package text holds the small text helpers orgconform's packages share:
// folding to one line, cutting snippets, quoting for a POSIX shell and
// keeping control characters away from a terminal.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine folds s onto one line: runs of white space (newlines included)
// become one space, and leading and trailing space is dropped.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Cut returns s cut to at most n runes, with "…" appended when it was cut.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Snippet is the first n characters of b on one line ("<empty body>" when
// b is empty), quoted with %q when b is not UTF-8.
func Snippet(b []byte, n int) string {
	if len(b) == 0 {
		return "<empty body>"
	}
	if !utf8.Valid(b) {
		if len(b) > n {
			b = b[:n]
		}
		return fmt.Sprintf("%q", b)
	}
	return Cut(OneLine(string(b)), n)
}

// shellSafe are the bytes that need no quoting in a POSIX shell word.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,"

// ShellQuote quotes s for a POSIX shell when it needs it: a word of safe
// characters is returned as is, anything else in single quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, shellSafe) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Visible replaces control characters with U+FFFD so that text a target
// sent cannot drive the reader's terminal. keep lists control characters
// left as they are (e.g. "\n\t" for multi-line text); a carriage return not
// in keep is dropped, so CRLF line ends print as plain ones.
func Visible(s, keep string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case strings.ContainsRune(keep, c):
			return c
		case c == '\r':
			return -1
		case unicode.IsControl(c):
			return '\uFFFD'
		}
		return c
	}, s)
}

// Count is n with noun, in the plural unless n is 1: "1 check", "2 checks".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
