// Package edit changes files by splicing bytes at offsets that the
// workflow model computed. It never re-serialises a document: every byte
// outside an edit stays as it was.
package edit

import (
	"fmt"
	"sort"
	"strings"
)

// Edit replaces src[Start:End] with Text; Start == End inserts.
type Edit struct {
	Start, End int
	Text       string
}

// Apply returns src with the edits applied. Identical edits (an anchor
// reached through several aliases) are applied once; overlapping,
// different edits are an error.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	if len(edits) == 0 {
		return append([]byte(nil), src...), nil
	}
	es := append([]Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End < es[j].End
	})
	var b strings.Builder
	b.Grow(len(src) + 64*len(es))
	pos := 0
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		if e.Start < pos || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("edit [%d,%d) overlaps another edit or leaves the file (%d bytes)", e.Start, e.End, len(src))
		}
		b.Write(src[pos:e.Start])
		b.WriteString(e.Text)
		pos = e.End
	}
	b.Write(src[pos:])
	return []byte(b.String()), nil
}

// LineEnding returns the line ending the file uses most ("\r\n" or "\n").
func LineEnding(src []byte) string {
	crlf, lf := 0, 0
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			lf++
			if i > 0 && src[i-1] == '\r' {
				crlf++
			}
		}
	}
	if crlf > 0 && crlf*2 >= lf {
		return "\r\n"
	}
	return "\n"
}

// LineStart returns the offset of the start of the line containing off.
func LineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' && src[off-1] != '\r' {
		off--
	}
	return off
}

// LineEnd returns the offset of the line break ending the line containing
// off, or len(src).
func LineEnd(src []byte, off int) int {
	for off < len(src) && src[off] != '\n' && src[off] != '\r' {
		off++
	}
	return off
}

// Indent returns the leading blanks of the line containing off.
func Indent(src []byte, off int) string {
	s := LineStart(src, off)
	e := s
	for e < len(src) && (src[e] == ' ' || src[e] == '\t') {
		e++
	}
	return string(src[s:e])
}
