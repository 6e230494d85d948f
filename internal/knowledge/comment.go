package knowledge

import (
	"strings"

	"github.com/hardener/hardener/internal/workflow"
)

// Comment is the maintainer's comment on a grant. A commented grant is a
// maintainer's decision: fixes keep it and report it, and when a grant
// moves the comment moves with it.
type Comment struct {
	// Text is the comment without `#`, lines joined by "; ".
	Text string
	// Trailing is the comment after the value on the scope's line, from
	// its `#`; Above is the whole comment lines directly above the scope
	// (indentation and line endings included), starting at AboveStart.
	Trailing, Above string
	AboveStart      int
	// OnBlock is set when the comment is the block's: after its
	// `permissions:` key or its shorthand value.
	OnBlock bool
}

// GrantComment finds the comment on one scope of a mapping block: after
// the scope, on the lines directly above it (at its indentation), or else
// after the block's `permissions:` key. It returns nil when there is none.
func GrantComment(src []byte, p *workflow.Permissions, s *workflow.Scope) *Comment {
	c := &Comment{}
	var texts []string
	if s.Key.Start >= 0 && s.Key.Start <= len(src) {
		ls := lineStart(src, s.Key.Start)
		indent := string(src[ls:s.Key.Start])
		if strings.TrimLeft(indent, " \t") == "" {
			at := ls
			for at > 0 {
				prev := prevLine(src, at)
				line := strings.TrimRight(string(src[prev:at]), "\r\n")
				if !strings.HasPrefix(line, indent+"#") {
					break
				}
				texts = append([]string{strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))}, texts...)
				at = prev
			}
			if at < ls {
				c.Above, c.AboveStart = string(src[at:ls]), at
			}
		}
	}
	if s.Value.End >= 0 {
		if t := trailing(src, s.Value.End); t != "" {
			c.Trailing = t
			texts = append(texts, strings.TrimSpace(strings.TrimPrefix(t, "#")))
		}
	}
	if len(texts) == 0 {
		if t := BlockComment(src, p); t != "" {
			return &Comment{Text: t, OnBlock: true}
		}
		return nil
	}
	c.Text = strings.Join(texts, "; ")
	return c
}

// BlockComment is the comment after a block's `permissions:` key, or
// after its shorthand value, without `#`; "" when there is none.
func BlockComment(src []byte, p *workflow.Permissions) string {
	at := colonAfter(src, p.Key.End)
	if p.AllAt != nil && p.AllAt.End >= 0 {
		at = p.AllAt.End
	}
	return strings.TrimSpace(strings.TrimPrefix(trailing(src, at), "#"))
}

// trailing returns the comment (from `#`) that follows offset at on its
// line after at least one blank, or "".
func trailing(src []byte, at int) string {
	if at < 0 || at > len(src) {
		return ""
	}
	i := at
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i == at || i >= len(src) || src[i] != '#' {
		return ""
	}
	e := i
	for e < len(src) && src[e] != '\n' && src[e] != '\r' {
		e++
	}
	return string(src[i:e])
}

// colonAfter is the offset after the `:` that follows a key ending at end,
// or -1.
func colonAfter(src []byte, end int) int {
	i := end
	for i >= 0 && i < len(src) && src[i] == ' ' {
		i++
	}
	if i >= 0 && i < len(src) && src[i] == ':' {
		return i + 1
	}
	return -1
}

func lineStart(src []byte, off int) int {
	for off > 0 && src[off-1] != '\n' && src[off-1] != '\r' {
		off--
	}
	return off
}

// prevLine is the start of the line before the line starting at at.
func prevLine(src []byte, at int) int {
	if at > 0 && src[at-1] == '\n' {
		at--
	}
	if at > 0 && src[at-1] == '\r' {
		at--
	}
	return lineStart(src, at)
}
