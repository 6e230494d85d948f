package perms

import (
	"fmt"
	"strings"

	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// explanationData feeds permissions.md.tmpl.
type explanationData struct {
	// Changed are the jobs whose token changed; Kept the jobs with writes
	// kept although no step is known to use them; Review the jobs left as
	// they are for a person to decide.
	Changed, Kept, Review []Row
	Notes                 []remediations.Note
	Default               string
	Docs                  string
}

func (d *explanationData) add(rows []Row) {
	for _, r := range rows {
		if len(r.Narrowed) > 0 || r.Before != r.After {
			d.Changed = append(d.Changed, r)
		}
		if len(r.Kept) > 0 {
			d.Kept = append(d.Kept, r)
		}
		if r.Review != "" {
			d.Review = append(d.Review, r)
		}
	}
}

// escaped returns the data with every text that comes from the repository
// (file names, job IDs, step names, comments) made safe for Markdown by
// the templates package: names become code spans, other text is escaped
// but for the code spans Hardener writes in it, and nothing spans lines.
func (d explanationData) escaped() explanationData {
	esc := func(rows []Row) []Row {
		out := make([]Row, len(rows))
		for i, r := range rows {
			e := Row{File: templates.Code(r.File), Job: templates.Code(r.Job), Before: text(r.Before), After: text(r.After),
				Change: text(r.Change), Evidence: text(r.Evidence), Review: text(r.Review)}
			for _, n := range r.Narrowed {
				e.Narrowed = append(e.Narrowed, Narrowing{Scope: codeList(n.Scope), From: n.From, To: n.To, Proof: text(n.Proof)})
			}
			for _, k := range r.Kept {
				e.Kept = append(e.Kept, Keeping{Scope: templates.Code(k.Scope), Why: text(k.Why)})
			}
			out[i] = e
		}
		return out
	}
	out := d
	out.Changed, out.Kept, out.Review = esc(d.Changed), esc(d.Kept), esc(d.Review)
	out.Notes = nil
	for _, n := range d.Notes {
		at := n.File
		if n.Line > 0 {
			at = fmt.Sprintf("%s:%d", n.File, n.Line)
		}
		out.Notes = append(out.Notes, remediations.Note{File: templates.Code(at), Message: text(n.Message)})
	}
	return out
}

// codeList renders a list of scopes ("actions, checks") as one code span
// per scope.
func codeList(s string) string {
	if s == otherScopes {
		return "every other write scope"
	}
	parts := strings.Split(s, ", ")
	for i, p := range parts {
		parts[i] = templates.Code(p)
	}
	return strings.Join(parts, ", ")
}

// text makes s safe as Markdown text on one line: the parts between
// backticks, the code spans Hardener writes (`run:`, a scope), stay code
// spans; the rest is escaped text. An odd backtick opens no span.
func text(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		parts[len(parts)-2] += parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			// Text escapes what would start a block; after a code span
			// this text is not at the start of a line.
			if i > 0 && strings.HasPrefix(p, " ") {
				b.WriteByte(' ')
				p = p[1:]
			}
			b.WriteString(templates.Text(p))
		} else {
			b.WriteString(templates.Code(p))
		}
	}
	return b.String()
}
