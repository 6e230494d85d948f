package perms

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// layout is the file's own spelling: line ending and indentation unit.
type layout struct {
	src  []byte
	nl   string
	unit string
}

func newLayout(f *workflow.File) layout {
	src := f.Source.Src
	l := layout{src: src, nl: edit.LineEnding(src), unit: "  "}
	w := f.Workflow
	if w.JobsKey != nil && len(w.Jobs) > 0 {
		if d := len(edit.Indent(src, w.Jobs[0].Key.Start)) - len(edit.Indent(src, w.JobsKey.Start)); d > 0 {
			l.unit = strings.Repeat(" ", d)
		}
	}
	return l
}

// line is one scope of a block Hardener writes, with the comment it
// carries: a maintainer's comment that moves with the grant, or what needs
// a write.
type line struct {
	scope, level string
	// above are whole comment lines to write before the scope, without
	// their indentation; trailing is a comment (from `#`) after it.
	above    []string
	trailing string
}

// render writes lines at indent.
func render(ls []line, indent, nl string) string {
	var b strings.Builder
	for _, l := range ls {
		for _, a := range l.above {
			b.WriteString(indent + a + nl)
		}
		b.WriteString(indent + l.scope + ": " + l.level)
		if l.trailing != "" {
			b.WriteString(" " + l.trailing)
		}
		b.WriteString(nl)
	}
	return b.String()
}

// needLines renders a grant built from needs: scopes sorted, each write
// (and id-token) commented with what needs it.
func needLines(g knowledge.Grant, n knowledge.Need) []line {
	var out []line
	for _, s := range g.Names() {
		l := line{scope: s, level: g[s]}
		if g[s] == knowledge.Write {
			if why := n.Why(s); why != "" {
				if len(why) > 72 {
					why = why[:69] + "..."
				}
				l.trailing = "# " + strings.ReplaceAll(why, "\n", " ")
			}
		}
		out = append(out, l)
	}
	return out
}

// insertTop writes a workflow block before `jobs:`, above the comment
// lines that belong to `jobs:`.
func (p *plan) insertTop(w *workflow.Workflow, lay layout, ls []line) string {
	src := lay.src
	if w.JobsKey == nil || edit.LineStart(src, w.JobsKey.Start) != w.JobsKey.Start-len(edit.Indent(src, w.JobsKey.Start)) {
		return "`jobs:` does not start a line"
	}
	indent := edit.Indent(src, w.JobsKey.Start)
	at := commentsAbove(src, edit.LineStart(src, w.JobsKey.Start), indent)
	text := indent + "permissions:" + lay.nl + render(ls, indent+lay.unit, lay.nl)
	if len(ls) == 0 {
		text = indent + "permissions: {}" + lay.nl
	}
	if at > 0 && blankBefore(src, at) {
		text += lay.nl
	}
	p.edits = append(p.edits, edit.Edit{Start: at, End: at, Text: text})
	return ""
}

// insertJob gives a job its own complete block, right after its key line,
// at the indentation of its other keys.
func (p *plan) insertJob(j *workflow.Job, lay layout, ls []line) string {
	src := lay.src
	if j.Node == nil || j.Node.Kind != yaml.MappingNode || j.Node.Style&yaml.FlowStyle != 0 || len(j.Node.Content) == 0 ||
		j.Node.Line <= j.Key.Line || j.Key.End < 0 {
		return fmt.Sprintf("job %q is not a block mapping Hardener can insert into", j.ID)
	}
	i := j.Key.End
	for i < len(src) && src[i] == ' ' {
		i++
	}
	if i >= len(src) || src[i] != ':' {
		return fmt.Sprintf("job %q: key line not understood", j.ID)
	}
	rest := strings.TrimSpace(string(src[i+1 : edit.LineEnd(src, i)]))
	if rest != "" && !strings.HasPrefix(rest, "#") {
		return fmt.Sprintf("job %q has an anchor or value on its key line", j.ID)
	}
	first := j.Node.Content[0]
	childAt := workflow.NewSource(src).Offset(first.Line, first.Column)
	indent := edit.Indent(src, childAt)
	at := edit.LineEnd(src, i)
	if at >= len(src) {
		return fmt.Sprintf("job %q ends the file", j.ID)
	}
	if src[at] == '\r' && at+1 < len(src) && src[at+1] == '\n' {
		at += 2
	} else {
		at++
	}
	text := indent + "permissions:" + lay.nl + render(ls, indent+lay.unit, lay.nl)
	if len(ls) == 0 {
		text = indent + "permissions: {}" + lay.nl
	}
	p.edits = append(p.edits, edit.Edit{Start: at, End: at, Text: text})
	return ""
}

// setLevel rewrites one scope's level in place. With dropComment, the
// comment after it and the comment lines above it go too: the grant they
// described moved elsewhere, and they would be stale here.
func (p *plan) setLevel(src []byte, perm *workflow.Permissions, s *workflow.Scope, level string, dropComment bool) string {
	if !s.Value.Editable() {
		return fmt.Sprintf("the value of %s at line %d cannot be edited in place", s.Name, s.Value.Line)
	}
	e := edit.Edit{Start: s.Value.ContentStart, End: s.Value.ContentEnd, Text: level}
	if c := knowledge.GrantComment(src, perm, s); dropComment && c != nil && !c.OnBlock {
		if c.Trailing != "" {
			// Up to the end of the comment, keeping a closing quote.
			e.End, e.Text = edit.LineEnd(src, s.Value.End), level+string(src[s.Value.ContentEnd:s.Value.End])
		}
		if c.Above != "" {
			p.edits = append(p.edits, edit.Edit{Start: c.AboveStart, End: c.AboveStart + len(c.Above)})
		}
	}
	p.edits = append(p.edits, e)
	return ""
}

// deleteScope removes a scope's line (id-token, which has no read level,
// is removed rather than written as none), with the comment lines above it.
func (p *plan) deleteScope(src []byte, perm *workflow.Permissions, s *workflow.Scope) string {
	if perm.Node == nil || perm.Node.Style&yaml.FlowStyle != 0 || s.Key.Start < 0 || s.Value.End < 0 {
		return fmt.Sprintf("%s at line %d cannot be removed in place", s.Name, s.Key.Line)
	}
	start := edit.LineStart(src, s.Key.Start)
	if strings.TrimSpace(string(src[start:s.Key.Start])) != "" {
		return fmt.Sprintf("%s at line %d does not start its line", s.Name, s.Key.Line)
	}
	if c := knowledge.GrantComment(src, perm, s); c != nil && c.Above != "" {
		start = c.AboveStart
	}
	end := edit.LineEnd(src, s.Value.End)
	if end < len(src) && src[end] == '\r' {
		end++
	}
	if end < len(src) && src[end] == '\n' {
		end++
	}
	p.edits = append(p.edits, edit.Edit{Start: start, End: end})
	return ""
}

// replaceShorthand turns `permissions: write-all` into a block mapping
// (or `{}`).
func (p *plan) replaceShorthand(perm *workflow.Permissions, lay layout, ls []line) string {
	src, v := lay.src, perm.AllAt
	colon := perm.Key.End
	for colon >= 0 && colon < len(src) && src[colon] == ' ' {
		colon++
	}
	if perm.Key.End < 0 || colon >= len(src) || src[colon] != ':' || !v.Editable() ||
		strings.TrimSpace(string(src[colon+1:v.Start])) != "" {
		return fmt.Sprintf("permissions at line %d cannot be edited in place", perm.Key.Line)
	}
	text := lay.nl + strings.TrimSuffix(render(ls, edit.Indent(src, perm.Key.Start)+lay.unit, lay.nl), lay.nl)
	if len(ls) == 0 {
		text = " {}"
	}
	p.edits = append(p.edits, edit.Edit{Start: colon + 1, End: v.End, Text: text})
	return ""
}

// emptyBlock replaces a block mapping whose every scope goes with `{}`.
func (p *plan) emptyBlock(perm *workflow.Permissions, src []byte) string {
	colon := perm.Key.End
	for colon >= 0 && colon < len(src) && src[colon] == ' ' {
		colon++
	}
	last := perm.Scopes[len(perm.Scopes)-1].Value
	if perm.Key.End < 0 || colon >= len(src) || src[colon] != ':' || last.End < 0 || perm.Node.Style&yaml.FlowStyle != 0 {
		return fmt.Sprintf("permissions at line %d cannot be edited in place", perm.Key.Line)
	}
	p.edits = append(p.edits, edit.Edit{Start: colon + 1, End: edit.LineEnd(src, last.End), Text: " {}"})
	return ""
}

// commentsAbove moves an insertion point at a line start up over the
// comment lines (at the same indentation) directly above it, so they stay
// with the key they describe.
func commentsAbove(src []byte, at int, indent string) int {
	for at > 0 {
		prev := prevLine(src, at)
		line := strings.TrimRight(string(src[prev:at]), "\r\n")
		if !strings.HasPrefix(line, indent+"#") {
			break
		}
		at = prev
	}
	return at
}

// blankBefore reports whether the line before the line starting at at is
// blank.
func blankBefore(src []byte, at int) bool {
	return strings.TrimSpace(string(src[prevLine(src, at):at])) == ""
}

// prevLine is the start of the line before the line starting at at.
func prevLine(src []byte, at int) int {
	if at > 0 && src[at-1] == '\n' {
		at--
	}
	if at > 0 && src[at-1] == '\r' {
		at--
	}
	return edit.LineStart(src, at)
}
