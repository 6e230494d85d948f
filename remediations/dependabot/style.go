package dependabot

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// quoteOf returns the quote character a scalar is written with.
func quoteOf(n *yaml.Node) string {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return `"`
	case n.Style&yaml.SingleQuotedStyle != 0:
		return `'`
	}
	return ""
}

// stepOf returns the nesting step of an entry: how much deeper a nested
// block mapping (e.g. `schedule:`) is indented than the entry's keys.
func stepOf(item *yaml.Node) string {
	for i := 0; i+1 < len(item.Content); i += 2 {
		v := item.Content[i+1]
		if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && v.Line > item.Content[i].Line {
			if n := v.Column - item.Column; n > 0 && n <= 8 {
				return strings.Repeat(" ", n)
			}
		}
	}
	return "  "
}

// emptyValue reports whether a key's line holds nothing after the colon
// but blanks and a comment.
func emptyValue(line string, key string) bool {
	_, rest, ok := strings.Cut(line, key)
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, ":") {
		return false
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	return rest == "" || strings.HasPrefix(rest, "#")
}
