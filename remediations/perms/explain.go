package perms

import (
	"strings"

	"github.com/hardener/hardener/remediations"
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
// (file names, job IDs, step names, comments) made safe for Markdown:
// code spans lose backticks, other text has Markdown's punctuation
// escaped, and nothing spans lines.
func (d explanationData) escaped() explanationData {
	esc := func(rows []Row) []Row {
		out := make([]Row, len(rows))
		for i, r := range rows {
			e := Row{File: code(r.File), Job: code(r.Job), Before: text(r.Before), After: text(r.After),
				Change: text(r.Change), Evidence: text(r.Evidence), Review: text(r.Review)}
			for _, n := range r.Narrowed {
				e.Narrowed = append(e.Narrowed, Narrowing{Scope: code(n.Scope), From: n.From, To: n.To, Proof: text(n.Proof)})
			}
			for _, k := range r.Kept {
				e.Kept = append(e.Kept, Keeping{Scope: code(k.Scope), Why: text(k.Why)})
			}
			out[i] = e
		}
		return out
	}
	out := d
	out.Changed, out.Kept, out.Review = esc(d.Changed), esc(d.Kept), esc(d.Review)
	out.Notes = nil
	for _, n := range d.Notes {
		out.Notes = append(out.Notes, remediations.Note{File: code(n.File), Line: n.Line, Message: text(n.Message)})
	}
	return out
}

// code makes s safe inside a Markdown code span.
func code(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "`", "'"), "|", `\|`) // a pipe ends a table cell even in code
	return strings.Join(strings.Fields(s), " ")
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
	"|", `\|`, "#", `\#`, "!", `\!`, "~", `\~`)

// text makes s safe as Markdown text on one line, keeping the code spans
// Hardener writes (an odd backtick is dropped so no span stays open).
func text(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		parts[len(parts)-2] += parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for i := range parts {
		if i%2 == 0 {
			parts[i] = mdEscaper.Replace(parts[i])
		}
	}
	return strings.Join(parts, "`")
}
