package pin

import (
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
)

// trailer is what follows a `uses:` value on its line: where a version
// comment is, or where a new one may go.
type trailer struct {
	// insert is where " # tag" goes when there is no comment: right after
	// the value, or after the flow collection that closes on this line.
	insert int
	// hash is the offset of the comment's `#`, or -1.
	hash int
	// end is the end of the line (before its line break).
	end int
	// flow is set when the value sits inside a flow mapping.
	flow bool
	// canComment is false when a comment cannot be placed on this line;
	// why says why.
	canComment bool
	why        string
}

// findTrailer looks at the rest of the line after v.
func findTrailer(src *workflow.Source, v *workflow.Value) trailer {
	b := src.Src
	line, _ := src.Position(v.End)
	t := trailer{insert: v.End, hash: -1, end: src.LineEnd(line), canComment: true}
	i := v.End
	for i < t.end && isBlank(b[i]) {
		i++
	}
	if i == t.end {
		return t
	}
	if b[i] == '#' && i > v.End {
		t.hash = i
		return t
	}
	// Inside a flow collection: find where it closes and whether a comment
	// follows on this line. Quotes can hide brackets and `#`.
	t.flow = true
	depth, closed, last := 0, false, v.End
	var quote byte
	for j := i; j < t.end; j++ {
		c := b[j]
		switch {
		case quote == '"' && c == '\\':
			j++
		case quote != 0:
			if c == quote {
				quote = 0
			}
			last = j + 1
		case c == '#' && j > 0 && isBlank(b[j-1]):
			t.hash = j
			j = t.end
		case isBlank(c):
		default:
			switch c {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth < 0 {
					closed = true
				}
			case '\'', '"':
				if startsToken(b[j-1]) {
					quote = c
				}
			}
			last = j + 1
		}
	}
	t.insert = last
	if !closed || quote != 0 {
		t.canComment, t.hash = false, -1
		t.why = "the flow mapping continues on the next line"
	}
	return t
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// startsToken reports whether a quote after c opens a quoted scalar.
func startsToken(c byte) bool { return isBlank(c) || c == ',' || c == '{' || c == '[' || c == ':' }

// versionToken finds a version in a comment: `v4`, `v4.2.2`, `1.2`, also
// after `tag=` or `@`. It returns the token's span in text, or -1.
var versionToken = regexp.MustCompile(`(?:^|[\s=:@(\[,])(v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.]+)?)(?:$|[\s,;)\]])`)

func findVersion(text string) (int, int) {
	m := versionToken.FindStringSubmatchIndex(text)
	if m == nil {
		return -1, -1
	}
	return m[2], m[3]
}

// findWord finds word in text delimited by anything that cannot be part of
// a ref name.
func findWord(text, word string) (int, int) {
	if word == "" {
		return -1, -1
	}
	for off := 0; ; {
		i := strings.Index(text[off:], word)
		if i < 0 {
			return -1, -1
		}
		s, e := off+i, off+i+len(word)
		if (s == 0 || !refChar(text[s-1])) && (e == len(text) || !refChar(text[e])) {
			return s, e
		}
		off = s + 1
	}
}

func refChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/'
}

// commentEdit returns the edit that makes the comment after a value name
// tag. oldRef is the ref the value had (its mention is replaced first);
// an existing comment keeps its style and text, only the version token
// changes; a comment without one gets the tag in front of its text.
// ok is false when nothing needs to change.
func commentEdit(src []byte, t trailer, oldRef, tag string) (edit.Edit, bool) {
	if t.hash < 0 {
		return edit.Edit{Start: t.insert, End: t.insert, Text: " # " + tag}, true
	}
	body := t.hash + 1
	text := string(src[body:t.end])
	s, e := findWord(text, oldRef)
	if s < 0 {
		s, e = findVersion(text)
	}
	if s >= 0 {
		if text[s:e] == tag {
			return edit.Edit{}, false
		}
		return edit.Edit{Start: body + s, End: body + e, Text: tag}, true
	}
	lead := len(text) - len(strings.TrimLeft(text, " \t"))
	if lead == len(text) {
		return edit.Edit{Start: body, End: body, Text: " " + tag}, true
	}
	return edit.Edit{Start: body + lead, End: body + lead, Text: tag + " "}, true
}

// commentVersion is the version an existing comment names, or "".
func commentVersion(src []byte, t trailer) (string, int) {
	if t.hash < 0 {
		return "", -1
	}
	text := string(src[t.hash+1 : t.end])
	s, e := findVersion(text)
	if s < 0 {
		return "", -1
	}
	return text[s:e], t.hash + 1 + s
}
