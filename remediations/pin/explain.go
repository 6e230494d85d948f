package pin

import (
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// maxRows bounds the table in an explanation (check-run and PR texts are
// capped at 65,535 characters).
const maxRows = 150

// fileEdits collects the edits planned for one file.
type fileEdits struct {
	f     *workflow.File
	edits []edit.Edit
	// lines are the 1-based lines that change, in order, for the table.
	lines []int
	fixed []string
}

func (fe *fileEdits) add(e edit.Edit) { fe.edits = append(fe.edits, e) }

// row records that the line holding v changes.
func (fe *fileEdits) row(v *workflow.Value) {
	line, _ := fe.f.Source.Position(v.End)
	if n := len(fe.lines); n == 0 || fe.lines[n-1] != line {
		fe.lines = append(fe.lines, line)
	}
}

// Row is one line of an explanation's table.
type Row struct {
	File          string
	Line          int
	Before, After string
}

// explanation is the data of pin-actions.md.tmpl and pin-images.md.tmpl.
type explanation struct {
	Rows  []Row
	More  int
	Files int
	Notes []remediations.Note
}

// finish applies each file's edits, checks that the result still parses,
// and fills in the result and its explanation.
func finish(res *remediations.Result, files []fileEdits, notes []remediations.Note, tmpl string) (*remediations.Result, error) {
	var data explanation
	for _, fe := range files {
		if len(fe.edits) == 0 {
			continue
		}
		src := fe.f.Source.Src
		after, err := edit.Apply(src, fe.edits)
		if err == nil {
			_, err = workflow.Parse(fe.f.Path, after)
		}
		if err != nil {
			notes = append(notes, remediations.Note{File: fe.f.Path, Message: fmt.Sprintf("left unchanged: the edited file would not be valid (%v)", err)})
			continue
		}
		res.Changes = append(res.Changes, remediations.Change{Path: fe.f.Path, Before: src, After: after})
		res.Fixed = append(res.Fixed, fe.fixed...)
		data.Files++
		newSrc := workflow.NewSource(after)
		for _, l := range fe.lines {
			if len(data.Rows) == maxRows {
				data.More++
				continue
			}
			data.Rows = append(data.Rows, Row{File: fe.f.Path, Line: l,
				Before: cell(fe.f.Source.Line(l)), After: cell(newSrc.Line(l))})
		}
	}
	res.Notes = notes
	data.Notes = make([]remediations.Note, len(notes))
	for i, n := range notes {
		n.Message = strings.ReplaceAll(n.Message, "\n", " ")
		data.Notes[i] = n
	}
	if len(res.Changes) == 0 {
		return res, remediations.ErrNothingToFix
	}
	text, err := templates.Render(tmpl, data)
	if err != nil {
		return nil, err
	}
	res.Explanation = text
	return res, nil
}

// cell makes a source line safe inside a Markdown table's code span.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "|", `\|`)
}
