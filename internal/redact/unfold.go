package redact

import (
	"bytes"
	"html"
	"slices"
	"sync"
	"unicode/utf8"
)

// maxLayers is how many layers of encoding are undone after the first
// (whitespace only): enough for a secret URL-encoded by a target and again
// by a proxy, inside a JSON string, inside an HTML page.
const maxLayers = 4

// escapes are the bytes that start an encoded character; a layer without
// them has nothing more to decode.
const escapes = `\%&`

// span is the part [start, end) of the original text a decoded byte came
// from.
type span struct{ start, end int }

// layer is one decoding of a text and, when kept, the span of the original
// each of its bytes came from.
type layer struct {
	text  []byte
	spans []span
}

// scratch holds the layers of a text (the one read and the one written),
// those of a window (finder.retry) and the escapes decoded, reused across
// calls: redaction runs on every exchange.
type scratch struct {
	a, b, wa, wb layer
	tokens       []token
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled is the largest buffer returned to the pool.
const maxPooled = 1 << 16

// find returns the spans of s, sorted and not overlapping, that hold one of
// needles in some layer of decoding, or nil when none does. Layer 0 is s
// without whitespace; layer k+1 is layer k with one level of escapes
// decoded (and whitespace they decode to dropped). Most texts hold no
// secret: they are decoded without keeping spans, and only a text that
// holds one is decoded again to locate it.
func find[T ~string | ~[]byte](needles [][]byte, s T) []span {
	sc := scratchPool.Get().(*scratch)
	defer func() {
		if max(cap(sc.a.text), cap(sc.b.text), cap(sc.wa.text), cap(sc.wb.text)) <= maxPooled {
			scratchPool.Put(sc)
		}
	}()
	f := finder{needles: needles, sc: sc}
	sc.a.text, sc.a.spans, _ = unfold(sc.a.text[:0], sc.a.spans[:0], s, nil, false, false, nil)
	if !f.walk(&sc.a, [2]*layer{&sc.b, &sc.a}, 0, false) {
		return nil
	}
	f.keep = true
	sc.a.text, sc.a.spans, _ = unfold(sc.a.text[:0], sc.a.spans[:0], s, nil, false, true, nil)
	f.walk(&sc.a, [2]*layer{&sc.b, &sc.a}, 0, false)
	return merge(f.found)
}

// finder searches the layers of a text for needles: only whether one
// holds a needle, or (keep) where in the original every needle is.
type finder struct {
	needles [][]byte
	keep    bool
	found   []span
	sc      *scratch
}

// token is an escape decoded at src[at : at+n] of the layer below.
type token struct{ at, n int }

// walk searches cur, decoded at depth, and every layer decoded from it
// (into bufs in turn), and reports whether one holds a needle (always false when keeping
// spans). With prefix set, a layer holds a needle only at its start.
//
// An escape may be literal text whose last characters begin an encoded
// secret ("50%" then "AB\/...": greedy decoding reads %AB). So for every
// escape decoded, walk also decodes, from each position inside it, a window
// long enough for a needle, and searches it for a needle at its start.
func (f *finder) walk(cur *layer, bufs [2]*layer, depth int, prefix bool) bool {
	for ; ; depth++ {
		next := bufs[depth%2]
		if f.search(cur, prefix) {
			return true
		}
		if depth == maxLayers || !bytes.ContainsAny(cur.text, escapes) {
			return false
		}
		var changed bool
		var tokens *[]token
		if !prefix {
			f.sc.tokens = f.sc.tokens[:0]
			tokens = &f.sc.tokens
		}
		next.text, next.spans, changed = unfold(next.text[:0], next.spans[:0], cur.text, cur.spans, true, f.keep, tokens)
		if !changed {
			return false
		}
		if !prefix {
			for _, t := range f.sc.tokens {
				for q := t.at + 1; q < t.at+t.n; q++ {
					if f.retry(cur, q, depth) {
						return true
					}
				}
			}
		}
		cur = next
	}
}

// maxEncodedLen is the most bytes of a layer that one character of the
// layer above takes (&#x0010FFFF; is 12).
const maxEncodedLen = 12

// retry searches the layers decoded from l.text[q:] for a needle at their
// start.
func (f *finder) retry(l *layer, q, depth int) bool {
	c := l.text[q]
	if class[c] != escape && !slices.ContainsFunc(f.needles, func(n []byte) bool { return n[0] == c }) {
		return false
	}
	longest := 0
	for _, n := range f.needles {
		longest = max(longest, len(n))
	}
	end := min(len(l.text), q+longest*maxEncodedLen)
	window := layer{text: l.text[q:end:end]}
	if f.keep {
		window.spans = l.spans[q:end:end]
	}
	return f.walk(&window, [2]*layer{&f.sc.wa, &f.sc.wb}, depth, true)
}

// search reports whether l holds a needle (at its start, with prefix), or
// when keeping spans records where each is and reports false.
func (f *finder) search(l *layer, prefix bool) bool {
	if !prefix {
		if !f.keep {
			return holdsAny(l.text, f.needles)
		}
		f.found = appendMatches(f.found, l, f.needles)
		return false
	}
	for _, n := range f.needles {
		if bytes.HasPrefix(l.text, n) {
			if !f.keep {
				return true
			}
			f.found = append(f.found, span{l.spans[0].start, l.spans[len(n)-1].end})
		}
	}
	return false
}

func holdsAny(text []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(text, n) {
			return true
		}
	}
	return false
}

// appendMatches appends the original spans of every needle in l.
func appendMatches(found []span, l *layer, needles [][]byte) []span {
	for _, n := range needles {
		for off := 0; ; {
			i := bytes.Index(l.text[off:], n)
			if i < 0 {
				break
			}
			i += off
			found = append(found, span{l.spans[i].start, l.spans[i+len(n)-1].end})
			off = i + 1 // overlapping occurrences too: merge joins them
		}
	}
	return found
}

// merge sorts spans and joins those that overlap.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start < out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Byte classes of unfold.
const (
	plain      = iota
	space      // ASCII whitespace
	escape     // the start of an encoded character
	maybeSpace // the first byte of a Unicode space's UTF-8 encoding
)

var class = func() (c [256]uint8) {
	for _, b := range []byte("\t\n\v\f\r ") {
		c[b] = space
	}
	for _, b := range []byte(escapes) {
		c[b] = escape
	}
	for _, b := range []byte{0xC2, 0xE1, 0xE2, 0xE3, 0xEF} {
		c[b] = maybeSpace
	}
	return c
}()

// unfold appends to dst the text src without whitespace and, when decode
// is set, with one level of escapes decoded, and reports whether it
// decoded any. When keep is set it appends to dspans the original span of
// each byte appended: sspans[i] for src[i], or [i, i+1) when sspans is nil.
// When tokens is not nil, it appends to it every escape decoded.
func unfold[T ~string | ~[]byte](dst []byte, dspans []span, src T, sspans []span, decode, keep bool, tokens *[]token) ([]byte, []span, bool) {
	spanOf := func(i, j int) span {
		if sspans == nil {
			return span{i, j}
		}
		return span{sspans[i].start, sspans[j-1].end}
	}
	changed := false
	for i := 0; i < len(src); {
		n := 0 // bytes of src consumed by a space or an escape
		switch class[src[i]] {
		case space:
			n = 1
		case maybeSpace:
			n = spaceLen(src, i)
		case escape:
			if decode {
				before := len(dst)
				if dst, n = decodeEscape(dst, src, i); n > 0 {
					changed = true
					if tokens != nil {
						*tokens = append(*tokens, token{i, n})
					}
					if keep {
						sp := spanOf(i, i+n)
						for range len(dst) - before {
							dspans = append(dspans, sp)
						}
					}
				}
			}
		}
		if n > 0 {
			i += n
			continue
		}
		j := i + 1
		for j < len(src) && class[src[j]] == plain {
			j++
		}
		dst = append(dst, src[i:j]...)
		if keep {
			for k := i; k < j; k++ {
				dspans = append(dspans, spanOf(k, k+1))
			}
		}
		i = j
	}
	return dst, dspans, changed
}

// isSpace reports whether unfold drops c: Unicode white space, and the
// zero-width space and byte order mark, which split a word as invisibly.
func isSpace(c rune) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return 0x2000 <= c && c <= 0x200B
}

// spaceLen is the length of the UTF-8 encoded space at src[i:], or 0.
func spaceLen[T ~string | ~[]byte](src T, i int) int {
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], src[i:min(i+utf8.UTFMax, len(src))])
	if c, size := utf8.DecodeRune(buf[:n]); c != utf8.RuneError && isSpace(c) {
		return size
	}
	return 0
}

// decodeEscape appends to dst the character encoded at src[i:] (nothing
// when it is whitespace) and returns the bytes consumed, or 0 when src[i]
// starts no escape. Escapes: JSON and JavaScript (\uXXXX, \xXX, \/, \\,
// \", \', \n, \r, \t, \f, \b, \v), URL (%XX) and HTML (&#DD; &#xHH; with
// or without the semicolon, and named references such as &sol;).
func decodeEscape[T ~string | ~[]byte](dst []byte, src T, i int) ([]byte, int) {
	rest := len(src) - i
	switch src[i] {
	case '\\':
		if rest < 2 {
			return dst, 0
		}
		switch e := src[i+1]; e {
		case 'u':
			if c, ok := hexValue(src, i+2, 4); ok {
				return appendRune(dst, c), 6
			}
		case 'x':
			if c, ok := hexValue(src, i+2, 2); ok {
				return appendByte(dst, byte(c)), 4
			}
		case '/', '\\', '"', '\'':
			return append(dst, e), 2
		case 'n', 'r', 't', 'f', 'v':
			return dst, 2 // whitespace
		case 'b':
			return append(dst, '\b'), 2
		}
	case '%':
		if c, ok := hexValue(src, i+1, 2); ok {
			return appendByte(dst, byte(c)), 3
		}
	case '&':
		return decodeReference(dst, src, i)
	}
	return dst, 0
}

// decodeReference is decodeEscape for an HTML character reference.
func decodeReference[T ~string | ~[]byte](dst []byte, src T, i int) ([]byte, int) {
	j := i + 1
	if j < len(src) && src[j] == '#' {
		j++
		base, maxDigits := 10, 7
		if j < len(src) && (src[j] == 'x' || src[j] == 'X') {
			j++
			base, maxDigits = 16, 6
		}
		start, c := j, 0
		for j < len(src) && j-start < maxDigits {
			d, ok := digit(src[j], base)
			if !ok {
				break
			}
			c = c*base + d
			j++
		}
		if j == start || c == 0 || c > utf8.MaxRune {
			return dst, 0
		}
		if j < len(src) && src[j] == ';' {
			j++
		}
		return appendRune(dst, rune(c)), j - i
	}
	// A named reference: &name; with name alphanumeric, as long as the
	// longest HTML defines (&CounterClockwiseContourIntegral;).
	for j < len(src) && j-i <= 32 && isAlnum(src[j]) {
		j++
	}
	if j == i+1 || j >= len(src) || src[j] != ';' {
		return dst, 0
	}
	ref := string(src[i : j+1])
	decoded := html.UnescapeString(ref)
	if decoded == ref {
		return dst, 0
	}
	for _, c := range decoded {
		dst = appendRune(dst, c)
	}
	return dst, j + 1 - i
}

func appendRune(dst []byte, c rune) []byte {
	if isSpace(c) {
		return dst
	}
	return utf8.AppendRune(dst, c)
}

func appendByte(dst []byte, b byte) []byte {
	if class[b] == space {
		return dst
	}
	return append(dst, b)
}

// hexValue reads n hex digits at src[i:].
func hexValue[T ~string | ~[]byte](src T, i, n int) (rune, bool) {
	if i+n > len(src) {
		return 0, false
	}
	c := 0
	for k := i; k < i+n; k++ {
		d, ok := digit(src[k], 16)
		if !ok {
			return 0, false
		}
		c = c<<4 | d
	}
	return rune(c), true
}

func digit(b byte, base int) (int, bool) {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0'), true
	case base == 16 && 'a' <= b && b <= 'f':
		return int(b-'a') + 10, true
	case base == 16 && 'A' <= b && b <= 'F':
		return int(b-'A') + 10, true
	}
	return 0, false
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
