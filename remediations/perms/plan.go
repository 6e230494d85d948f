package perms

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// Row is one job in the explanation.
type Row struct {
	File, Job string
	// Permissions is what the job's token gets after the change.
	Permissions string
	// Why lists the steps that need each scope beyond contents: read.
	Why string
	// Change says what happened to the job's permissions.
	Change string
}

// plan is the result of one workflow file.
type plan struct {
	edits  []edit.Edit
	rows   []Row
	review []Row // jobs whose needs are unknown and that got an explicit block
	// skip says why the file was left alone.
	skip string
}

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

// planFile decides the permissions of every job of a workflow file.
// mode is the repository's default token permissions ("read" or "write").
func planFile(f *workflow.File, files knowledge.Files, mode string) plan {
	w := f.Workflow
	lay := newLayout(f)
	var p plan
	needs := make([]knowledge.Need, len(w.Jobs))
	for i, j := range w.Jobs {
		needs[i] = knowledge.JobNeedsIn(files, w, j)
	}

	// What jobs without their own block get today, and after the change.
	topToday, from := defaults(mode), "repository default: "+mode
	if w.Permissions != nil {
		g, ok := grantOf(w.Permissions)
		if !ok {
			p.skip = "the workflow's permissions are not a mapping or a shorthand"
			return p
		}
		topToday, from = g, "from the workflow's permissions"
	}
	narrowTop := w.Permissions == nil || topToday.hasWrite()
	newTop := topToday
	if narrowTop {
		newTop = topGrant(w, needs, topToday)
		if err := p.editTop(w, lay, newTop); err != "" {
			p.skip = err
			return p
		}
	}

	for i, j := range w.Jobs {
		n := needs[i]
		row := Row{File: f.Path, Job: j.ID, Why: why(n)}
		switch {
		case j.Permissions != nil:
			today, ok := grantOf(j.Permissions)
			row.Permissions, row.Change = today.String(), "own block kept"
			if ok && n.Known() {
				if g, changed, err := p.narrowJob(j, lay, n, today); err != "" {
					p.skip = err
					return p
				} else if changed {
					row.Permissions, row.Change = g.String(), "own block narrowed"
				}
			}
		case !narrowTop:
			row.Permissions, row.Change = topToday.String(), "inherits the workflow's permissions (unchanged)"
		case !n.Known():
			row.Permissions = topToday.String()
			row.Why = strings.Join(n.Unknown, "; ")
			row.Change = "kept as before (" + from + "): needs unknown"
			if !topToday.equal(newTop) {
				if err := p.insertJob(j, lay, topToday, nil, "kept as before: review what this job needs"); err != "" {
					p.skip = err
					return p
				}
				row.Change = "kept as before (" + from + "), made explicit: needs unknown"
			}
			p.review = append(p.review, row)
		default:
			if newTop.covers(n.Scopes) {
				row.Permissions, row.Change = newTop.String(), "inherits the workflow's permissions"
				break
			}
			g := capped(union(map[string]string{"contents": knowledge.Read}, n.Scopes), topToday)
			if err := p.insertJob(j, lay, g, n.Sources, ""); err != "" {
				p.skip = err
				return p
			}
			row.Permissions, row.Change = g.String(), "own block added"
		}
		p.rows = append(p.rows, row)
	}
	return p
}

// topGrant is the narrowed workflow block: contents: read, and
// packages: read where a job that inherits it pulls from GHCR; an existing
// mapping keeps its scopes with writes lowered to read.
func topGrant(w *workflow.Workflow, needs []knowledge.Need, today grant) grant {
	want := map[string]string{"contents": knowledge.Read}
	pulls := grant{scopes: map[string]string{"contents": knowledge.Read, "packages": knowledge.Read}}
	for i, j := range w.Jobs {
		// Only for a job that then needs no block of its own.
		n := needs[i]
		if j.Permissions == nil && n.Known() && n.Scopes["packages"] == knowledge.Read && pulls.covers(n.Scopes) {
			want["packages"] = knowledge.Read
		}
	}
	if w.Permissions != nil && w.Permissions.All == "" {
		want = map[string]string{}
		for s, l := range today.scopes {
			if l == knowledge.Write {
				l = narrowed(s)
			}
			want[s] = l
		}
	}
	return capped(want, today)
}

// why renders what needs each scope beyond the contents: read every job
// gets, grouped by what needs it.
func why(n knowledge.Need) string {
	bySource := map[string][]string{}
	var order []string
	keys := make([]string, 0, len(n.Scopes))
	for s := range n.Scopes {
		keys = append(keys, s)
	}
	sort.Strings(keys)
	for _, s := range keys {
		if s == "contents" && n.Scopes[s] == knowledge.Read {
			continue
		}
		src := n.Sources[s]
		if _, ok := bySource[src]; !ok {
			order = append(order, src)
		}
		bySource[src] = append(bySource[src], s+": "+n.Scopes[s])
	}
	parts := make([]string, 0, len(order))
	for _, src := range order {
		parts = append(parts, strings.Join(bySource[src], ", ")+" for "+src)
	}
	return strings.Join(parts, "; ")
}

// editTop writes the narrowed workflow block: inserted before `jobs:` when
// there is none, the write-all shorthand replaced by a mapping, or each
// write lowered in place.
func (p *plan) editTop(w *workflow.Workflow, lay layout, g grant) string {
	src := lay.src
	top := w.Permissions
	if top == nil {
		if w.JobsKey == nil || edit.LineStart(src, w.JobsKey.Start) != w.JobsKey.Start-len(edit.Indent(src, w.JobsKey.Start)) {
			return "`jobs:` does not start a line"
		}
		indent := edit.Indent(src, w.JobsKey.Start)
		at := commentsAbove(src, edit.LineStart(src, w.JobsKey.Start), indent)
		text := indent + "permissions:" + lay.nl + lines(g, indent+lay.unit, lay.nl, nil)
		if at > 0 && blankBefore(src, at) {
			text += lay.nl
		}
		p.edits = append(p.edits, edit.Edit{Start: at, End: at, Text: text})
		return ""
	}
	if top.All != "" {
		return p.replaceShorthand(top, lay, g, edit.Indent(src, top.Key.Start), nil)
	}
	return p.lowerWrites(top, func(string) bool { return false })
}

// lowerWrites narrows, in place, every write that keep does not accept.
func (p *plan) lowerWrites(perm *workflow.Permissions, keep func(scope string) bool) string {
	for _, s := range perm.Scopes {
		if s.Level != knowledge.Write || keep(s.Name) {
			continue
		}
		if !s.Value.Editable() {
			return fmt.Sprintf("the value of %s at line %d cannot be edited in place", s.Name, s.Value.Line)
		}
		p.edits = append(p.edits, edit.Edit{Start: s.Value.ContentStart, End: s.Value.ContentEnd, Text: narrowed(s.Name)})
	}
	return ""
}

// replaceShorthand turns `permissions: write-all` into a block mapping,
// keeping any comment after it.
func (p *plan) replaceShorthand(perm *workflow.Permissions, lay layout, g grant, indent string, sources map[string]string) string {
	src, v := lay.src, perm.AllAt
	colon := perm.Key.End
	for colon >= 0 && colon < len(src) && src[colon] == ' ' {
		colon++
	}
	if perm.Key.End < 0 || colon >= len(src) || src[colon] != ':' || !v.Editable() ||
		strings.TrimSpace(string(src[colon+1:v.Start])) != "" {
		return fmt.Sprintf("permissions at line %d cannot be edited in place", perm.Key.Line)
	}
	text := lay.nl + strings.TrimSuffix(lines(g, indent+lay.unit, lay.nl, sources), lay.nl)
	if len(g.scopes) == 0 {
		text = " {}"
	}
	p.edits = append(p.edits, edit.Edit{Start: colon + 1, End: v.End, Text: text})
	return ""
}

// narrowJob narrows a job's own block to its known needs: write-all
// becomes a mapping, unneeded writes are lowered.
func (p *plan) narrowJob(j *workflow.Job, lay layout, n knowledge.Need, today grant) (grant, bool, string) {
	perm := j.Permissions
	switch {
	case perm.All == "write-all":
		g := capped(union(map[string]string{"contents": knowledge.Read}, n.Scopes), today)
		return g, true, p.replaceShorthand(perm, lay, g, edit.Indent(lay.src, perm.Key.Start), n.Sources)
	case perm.All != "":
		return today, false, ""
	}
	var excess []string
	for _, sc := range perm.Scopes {
		if sc.Level == knowledge.Write && knowledge.Rank(n.Scopes[sc.Name]) < 2 {
			excess = append(excess, sc.Name)
		}
	}
	if len(excess) == 0 {
		return today, false, ""
	}
	g := grant{scopes: map[string]string{}}
	for s, l := range today.scopes {
		g.scopes[s] = l
	}
	for _, s := range excess {
		g.scopes[s] = narrowed(s)
		if g.scopes[s] == knowledge.None {
			delete(g.scopes, s)
		}
	}
	return g, true, p.lowerWrites(perm, func(s string) bool { return knowledge.Rank(n.Scopes[s]) == 2 })
}

// insertJob gives a job its own complete block, right after its key line,
// at the indentation of its other keys.
func (p *plan) insertJob(j *workflow.Job, lay layout, g grant, sources map[string]string, comment string) string {
	src := lay.src
	if j.Node == nil || j.Node.Kind != yaml.MappingNode || j.Node.Style&yaml.FlowStyle != 0 || len(j.Node.Content) == 0 || j.Node.Line <= j.Key.Line || j.Key.End < 0 {
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
	head := indent + "permissions:"
	if comment != "" {
		head += " # " + comment
	}
	var text string
	switch {
	case g.all != "":
		text = indent + "permissions: " + g.all
		if comment != "" {
			text += " # " + comment
		}
		text += lay.nl
	case len(g.scopes) == 0:
		text = indent + "permissions: {}" + lay.nl
	default:
		text = head + lay.nl + lines(g, indent+lay.unit, lay.nl, sources)
	}
	p.edits = append(p.edits, edit.Edit{Start: at, End: at, Text: text})
	return ""
}

// lines renders a grant's scopes, one a line; writes carry a comment
// naming what needs them.
func lines(g grant, indent, nl string, sources map[string]string) string {
	var b strings.Builder
	for _, s := range g.names() {
		b.WriteString(indent + s + ": " + g.scopes[s])
		if src := sources[s]; src != "" && (g.scopes[s] == knowledge.Write || s == "id-token") {
			if len(src) > 72 {
				src = src[:69] + "..."
			}
			b.WriteString(" # " + src)
		}
		b.WriteString(nl)
	}
	return b.String()
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
