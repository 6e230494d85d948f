// Package perms is the `permissions` remediation: it gives every workflow
// a read-only GITHUB_TOKEN at the top and each job that needs more its own
// complete block, from what the knowledge base says its steps need. A job
// whose needs are unknown keeps what it has today, made explicit, and is
// left for review. Edits are insertions and in-place narrowing of scope
// values; no document is re-serialised.
package perms

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// Docs is GitHub's page on the workflow `permissions` key.
const Docs = "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token"

// Permissions is the permissions remediation.
type Permissions struct{}

// ID implements remediations.Remediation.
func (Permissions) ID() string { return checks.FixPermissions }

// explanationData feeds permissions.md.tmpl.
type explanationData struct {
	Rows    []Row
	Review  []Row
	Notes   []remediations.Note
	Default string
	Docs    string
}

// Apply implements remediations.Remediation.
func (Permissions) Apply(_ context.Context, env *remediations.Env) (*remediations.Result, error) {
	mode := env.DefaultTokenPermissions
	if mode != "read" {
		mode = "write"
	}
	res := &remediations.Result{ID: checks.FixPermissions, Title: "Restrict GITHUB_TOKEN permissions to what each job needs"}
	data := explanationData{Default: mode, Docs: Docs}
	edited := map[string][]edit.Edit{}
	for _, f := range checks.Load(env.Snapshot).Files {
		if f.Workflow == nil {
			continue
		}
		after, p, err := fix(f, env.Snapshot, mode)
		if err != nil {
			n := remediations.Note{File: f.Path, Line: 1, Message: err.Error()}
			res.Notes = append(res.Notes, n)
			data.Notes = append(data.Notes, n)
			continue
		}
		if after == nil {
			continue
		}
		res.Changes = append(res.Changes, remediations.Change{Path: f.Path, Before: f.Source.Src, After: after})
		edited[f.Path] = p.edits
		data.Rows = append(data.Rows, cells(p.rows)...)
		data.Review = append(data.Review, cells(p.review)...)
		for _, r := range p.review {
			res.Notes = append(res.Notes, remediations.Note{File: r.File, Line: jobLine(f, r.Job),
				Message: fmt.Sprintf("job %q keeps %s: %s", r.Job, r.Permissions, r.Why)})
		}
	}
	if len(res.Changes) == 0 {
		if len(res.Notes) > 0 {
			return res, nil
		}
		return nil, remediations.ErrNothingToFix
	}
	res.Fixed = fixed(env.Findings, edited, env.Snapshot)
	expl, err := templates.Render("permissions.md.tmpl", data)
	if err != nil {
		return nil, fmt.Errorf("permissions: %w", err)
	}
	res.Explanation = expl
	return res, nil
}

// fix plans and applies the permissions of one workflow file. after is nil
// when nothing changes; an error says why a file that needs a change was
// left alone.
func fix(f *workflow.File, files interface {
	ReadFile(string) ([]byte, error)
}, mode string) (after []byte, p plan, err error) {
	p = planFile(f, files, mode)
	if p.skip != "" {
		return nil, p, fmt.Errorf("permissions left unchanged: %s", p.skip)
	}
	if len(p.edits) == 0 {
		return nil, p, nil
	}
	out, err := edit.Apply(f.Source.Src, p.edits)
	if err != nil {
		return nil, p, fmt.Errorf("permissions left unchanged: %w", err)
	}
	if _, err := workflow.ParseWorkflow(f.Path, out); err != nil {
		return nil, p, fmt.Errorf("permissions left unchanged: the edited file would not parse: %w", err)
	}
	return out, p, nil
}

// cells escapes the text of rows for a Markdown table.
func cells(rows []Row) []Row {
	esc := strings.NewReplacer("|", "\\|", "\n", " ", "\r", "")
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{File: esc.Replace(r.File), Job: esc.Replace(r.Job), Permissions: esc.Replace(r.Permissions),
			Why: esc.Replace(r.Why), Change: esc.Replace(r.Change)}
	}
	return out
}

func jobLine(f *workflow.File, id string) int {
	for _, j := range f.Workflow.Jobs {
		if j.ID == id {
			return j.Key.Line
		}
	}
	return 1
}

// fixed lists the permission findings the edits resolve: missing
// permissions in a changed file, and excessive grants on an edited line.
func fixed(findings []checks.Finding, edited map[string][]edit.Edit, snap interface {
	ReadFile(string) ([]byte, error)
}) []string {
	var out []string
	for _, f := range findings {
		es, ok := edited[f.Primary.File]
		if !ok {
			continue
		}
		switch f.Rule {
		case checks.RuleMissingPermissions:
			out = append(out, f.Fingerprint())
		case checks.RuleExcessivePermissions:
			src, err := snap.ReadFile(f.Primary.File)
			if err != nil {
				continue
			}
			s := workflow.NewSource(src)
			for _, e := range es {
				if l, _ := s.Position(e.Start); l == f.Primary.Line && e.End > e.Start {
					out = append(out, f.Fingerprint())
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
