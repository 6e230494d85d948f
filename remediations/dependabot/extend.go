package dependabot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/updates"
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
	// cooldown is the `cooldown: {default-days: N}` of new entries; 0
	// writes none.
	cooldown int
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
	if s.cooldown > 0 {
		line(s.key, "cooldown:")
		line(s.key+s.step, "default-days: "+strconv.Itoa(s.cooldown))
	}
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
	updates.Entry
	// dirsList is the block sequence of `directories:`, when used.
	dirsList *yaml.Node
}

// doc is an existing dependabot.yml, parsed to learn where things are.
type doc struct {
	src     *workflow.Source
	root    *yaml.Node
	key     *yaml.Node // the `updates` key, or nil
	updates *yaml.Node // its value
	entries []existing
}

func parse(src []byte) (*doc, error) {
	f, err := updates.Parse(src)
	if err != nil {
		return nil, err
	}
	if f.Root != nil && f.Root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("top level is not a mapping: %w", errUnsafe)
	}
	d := &doc{src: workflow.NewSource(src), root: f.Root, key: f.Key, updates: f.Updates}
	for _, e := range f.Entries {
		x := existing{Entry: e}
		for i := 0; i+1 < len(e.Node.Content); i += 2 {
			if v := e.Node.Content[i+1]; e.Node.Content[i].Value == "directories" &&
				v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
				x.dirsList = v
			}
		}
		d.entries = append(d.entries, x)
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
