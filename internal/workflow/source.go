package workflow

import (
	"bytes"
	"unicode/utf8"
)

// Source maps yaml.v3 positions (1-based line, column counted in
// characters) to byte offsets and byte columns. yaml.v3 treats CR LF, CR,
// LF, NEL, LS and PS as line breaks, so the index does too.
type Source struct {
	Src   []byte
	lines []int // byte offset of the start of each line (0-based index)
}

var bom = []byte("\xef\xbb\xbf")

// NewSource indexes src.
func NewSource(src []byte) *Source {
	s := &Source{Src: src}
	start := 0
	if bytes.HasPrefix(src, bom) {
		start = len(bom) // yaml.v3 skips a BOM without counting it
	}
	s.lines = append(s.lines, start)
	for i := start; i < len(src); {
		n := breakWidth(src, i)
		if n == 0 {
			i++
			continue
		}
		i += n
		s.lines = append(s.lines, i)
	}
	return s
}

// breakWidth returns the length of the line break at i, or 0.
func breakWidth(b []byte, i int) int {
	switch b[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xc2:
		if i+1 < len(b) && b[i+1] == 0x85 {
			return 2
		}
	case 0xe2:
		if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xa8 || b[i+2] == 0xa9) {
			return 3
		}
	}
	return 0
}

// Lines is the number of lines.
func (s *Source) Lines() int { return len(s.lines) }

// LineStart is the byte offset where 1-based line n starts.
func (s *Source) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(s.lines) {
		return len(s.Src)
	}
	return s.lines[n-1]
}

// LineEnd is the byte offset of the line break ending line n (or the end
// of the file).
func (s *Source) LineEnd(n int) int {
	i := s.LineStart(n)
	for i < len(s.Src) && breakWidth(s.Src, i) == 0 {
		i++
	}
	return i
}

// Line returns the text of line n without its line break.
func (s *Source) Line(n int) string {
	return string(s.Src[s.LineStart(n):s.LineEnd(n)])
}

// Offset converts a yaml.v3 line and character column to a byte offset.
func (s *Source) Offset(line, col int) int {
	off := s.LineStart(line)
	for c := 1; c < col && off < len(s.Src); c++ {
		if breakWidth(s.Src, off) != 0 {
			break
		}
		_, w := utf8.DecodeRune(s.Src[off:])
		off += w
	}
	return off
}

// Position converts a byte offset to a 1-based line and byte column.
func (s *Source) Position(off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(s.Src) {
		off = len(s.Src)
	}
	lo, hi := 0, len(s.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - s.lines[lo] + 1
}

// LineEnding returns the file's dominant line ending ("\r\n" or "\n").
func (s *Source) LineEnding() string {
	crlf := bytes.Count(s.Src, []byte("\r\n"))
	if crlf > 0 && crlf*2 >= bytes.Count(s.Src, []byte("\n")) {
		return "\r\n"
	}
	return "\n"
}
