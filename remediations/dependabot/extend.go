package dependabot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
)

// errUnsafe means the file cannot be extended by splicing; the
// remediation reports instead.
var errUnsafe = errors.New("cannot be extended safely")

// style is how the existing file writes its entries.
type style struct {
	dash  string // the blanks before an entry's "-"
	key   string // the blanks before an entry's keys
	step  string // one level of nesting
	quote string // `"`, `'` or "" (plain)
	le    string
}

func (s style) q(v string) string {
	if s.quote == "" && (v == "*" || v == "") {
		return `"` + v + `"`
	}
	return s.quote + v + s.quote
}

// entry renders one `updates:` item, each line ending with s.le.
func (s style) entry(u update) string {
	var b strings.Builder
	line := func(prefix, text string) { b.WriteString(prefix + text + s.le) }
	line(s.dash, "- package-ecosystem: "+s.q(u.Ecosystem))
	line(s.key, "directory: "+s.q(u.Directory))
	line(s.key, "schedule:")
	line(s.key+s.step, "interval: "+s.q("weekly"))
	if u.Ecosystem == GitHubActions {
		line(s.key, "groups:")
		line(s.key+s.step, GitHubActions+":")
		line(s.key+s.step+s.step, "patterns:")
		line(s.key+s.step+s.step+s.step, "- "+s.q("*"))
	}
	return b.String()
}

// existing is one parsed `updates:` entry.
type existing struct {
	ecosystem, target string
	dirs              []string
	// dirsList is the block sequence of `directories:`, when used.
	dirsList *yaml.Node
}

func (e existing) covers(u update) bool {
	if e.ecosystem != u.Ecosystem || e.target != "" {
		return false
	}
	for _, d := range e.dirs {
		d = normDir(d)
		if u.Ecosystem == GitHubActions && d == "/.github/workflows" {
			d = "/"
		}
		if d == u.Directory || strings.ContainsAny(d, "*?[") && doublestar.MatchUnvalidated(strings.TrimPrefix(d, "/"), strings.TrimPrefix(u.Directory, "/")) {
			return true
		}
	}
	return false
}

// doc is an existing dependabot.yml, parsed to learn where things are.
type doc struct {
	src     *workflow.Source
	root    *yaml.Node
	key     *yaml.Node // the `updates` key, or nil
	updates *yaml.Node // its value
	entries []existing
}

func parse(src []byte) (d *doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	d = &doc{src: workflow.NewSource(src)}
	if len(n.Content) == 0 {
		return d, nil // empty or only comments
	}
	d.root = n.Content[0]
	if d.root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("top level is not a mapping: %w", errUnsafe)
	}
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		if d.root.Content[i].Value == "updates" {
			d.key, d.updates = d.root.Content[i], d.root.Content[i+1]
		}
	}
	if d.updates == nil || d.updates.Kind != yaml.SequenceNode {
		return d, nil
	}
	for _, item := range d.updates.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		var e existing
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i].Value, item.Content[i+1]
			switch k {
			case "package-ecosystem":
				e.ecosystem = v.Value
			case "target-branch":
				e.target = v.Value
			case "directory":
				e.dirs = append(e.dirs, v.Value)
			case "directories":
				for _, c := range v.Content {
					e.dirs = append(e.dirs, c.Value)
				}
				if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
					e.dirsList = v
				}
			}
		}
		d.entries = append(d.entries, e)
	}
	return d, nil
}

// offset is the byte offset of a node (after an anchor or tag).
func (d *doc) offset(n *yaml.Node) int {
	off := d.src.Offset(n.Line, n.Column)
	src := d.src.Src
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		for off < len(src) && src[off] != ' ' && src[off] != '\t' {
			off++
		}
		for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
			off++
		}
	}
	return off
}

// dashBefore finds the "-" that opens the sequence item at off.
func (d *doc) dashBefore(off int) (int, bool) {
	src := d.src.Src
	i := off - 1
	for i >= 0 && (src[i] == ' ' || src[i] == '\t') {
		i--
	}
	if i < 0 || src[i] != '-' {
		return 0, false
	}
	start := edit.LineStart(src, i)
	if strings.TrimLeft(string(src[start:i]), " ") != "" {
		return 0, false // "- - x" or a tab indent: leave it alone
	}
	return i, true
}

// itemEnd returns the offset after the last line that belongs to the
// sequence item starting on line startLine whose "-" is at column dashCol
// (0-based): following lines indented deeper, comments included, up to
// the first line that is not.
func (d *doc) itemEnd(startLine, dashCol int) int {
	last := startLine
	for n := startLine + 1; n <= d.src.Lines(); n++ {
		text := d.src.Line(n)
		trimmed := strings.TrimLeft(text, " ")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(text)-len(trimmed) <= dashCol {
			break
		}
		last = n
	}
	end := d.src.LineEnd(last)
	if end < len(d.src.Src) {
		end = d.src.LineStart(last + 1)
	}
	return end
}

// insertAt returns an insertion of lines (each ending with le) at off,
// keeping a missing final newline missing.
func insertAt(src []byte, off int, lines, le string) edit.Edit {
	if off == len(src) && len(src) > 0 && src[len(src)-1] != '\n' && src[len(src)-1] != '\r' {
		return edit.Edit{Start: off, End: off, Text: le + strings.TrimSuffix(lines, le)}
	}
	return edit.Edit{Start: off, End: off, Text: lines}
}
