package workflow

import (
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// SourceOffsets maps byte offsets inside v.Value (ascending) to byte
// offsets in src, the file the value was parsed from.
//
// A plain or quoted scalar on one line maps directly. Otherwise YAML has
// rewritten the text: block and multi-line flow scalars drop indentation
// and fold line breaks into spaces, quoted scalars decode escapes. Those
// rewrites only ever change whitespace or turn one escape into the bytes
// it stands for, so the value and the source are walked side by side,
// matching every non-blank byte of the value with its place in the source.
// An offset that cannot be placed (a value that does not come from src)
// maps to the start of the value's content.
func (v *Value) SourceOffsets(src []byte, offs []int) []int {
	out := make([]int, len(offs))
	if v.ContentEnd >= 0 {
		for i, o := range offs {
			out[i] = min(v.ContentStart+o, len(src))
		}
		return out
	}
	for i := range out {
		out[i] = v.ContentStart
	}
	if v.ContentStart < 0 || v.ContentStart > len(src) {
		return out
	}
	w := valueWalker{src: src, s: v.ContentStart, val: v.Value}
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		w.dq = true
	case v.Style&yaml.SingleQuotedStyle != 0:
		w.sq = true
	}
	next := 0
	for vi := 0; vi < len(v.Value) && next < len(offs); {
		for next < len(offs) && offs[next] < vi {
			next++ // offsets out of order or inside a multi-byte escape
		}
		if next >= len(offs) {
			break
		}
		c := v.Value[vi]
		if isBlank(c) {
			if offs[next] == vi {
				out[next] = w.s
				next++
			}
			vi++
			continue
		}
		if !w.skipBlank() {
			return out
		}
		dec, n := w.decode()
		if n == 0 || vi+len(dec) > len(v.Value) || v.Value[vi:vi+len(dec)] != dec {
			return out // the value does not come from this text
		}
		for next < len(offs) && offs[next] < vi+len(dec) {
			out[next] = w.s
			next++
		}
		vi += len(dec)
		w.s += n
	}
	return out
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// valueWalker reads the source text of a scalar.
type valueWalker struct {
	src    []byte
	s      int
	val    string
	dq, sq bool
}

// skipBlank moves past source whitespace, line breaks and (in double
// quotes) escapes that stand for whitespace or join lines. It reports
// false at the end of the source.
func (w *valueWalker) skipBlank() bool {
	for w.s < len(w.src) {
		c := w.src[w.s]
		if isBlank(c) {
			w.s++
			continue
		}
		if n := breakWidth(w.src, w.s); n > 0 {
			w.s += n
			continue
		}
		if w.dq && c == '\\' && w.s+1 < len(w.src) {
			d := w.src[w.s+1]
			if isBlank(d) || breakWidth(w.src, w.s+1) > 0 {
				w.s += 2 // an escaped line break or space
				continue
			}
			if d == 'n' || d == 't' || d == 'r' || d == ' ' {
				if dec, n := w.decode(); n > 0 && len(dec) == 1 && isBlank(dec[0]) {
					w.s += n
					continue
				}
			}
		}
		return true
	}
	return false
}

// decode returns the value bytes the source text at w.s stands for and
// how many source bytes that takes (0 when the source is not valid here).
func (w *valueWalker) decode() (string, int) {
	src := w.src
	c := src[w.s]
	switch {
	case w.sq && c == '\'':
		if w.s+1 < len(src) && src[w.s+1] == '\'' {
			return "'", 2
		}
		return "", 0
	case w.dq && c == '\\':
		if w.s+1 >= len(src) {
			return "", 0
		}
		if s, ok := simpleEscapes[src[w.s+1]]; ok {
			return s, 2
		}
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[src[w.s+1]]
		if width == 0 || w.s+2+width > len(src) {
			return "", 0
		}
		r := 0
		for _, h := range src[w.s+2 : w.s+2+width] {
			d := hexVal(h)
			if d < 0 {
				return "", 0
			}
			r = r<<4 | d
		}
		if width == 2 {
			return string([]byte{byte(r)}), 4
		}
		return string(utf8.AppendRune(nil, rune(r))), 2 + width
	}
	_, n := utf8.DecodeRune(src[w.s:])
	return string(src[w.s : w.s+n]), n
}

var simpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
	'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
