// Package perms is the `permissions` remediation: it narrows each job's
// GITHUB_TOKEN to what its steps are known to need. A scope is lowered or
// removed only when every step of the job is known not to use it; a job
// whose needs are unknown is left as it is (and the workflow block around
// it too) and listed for review. Grants a maintainer documented with a
// comment, or silenced with a suppression comment, are kept. Edits are
// insertions, in-place narrowing and removal of scope lines; no document
// is re-serialised.
package perms

import (
	"context"
	"fmt"
	"sort"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/knowledge"
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

// Apply implements remediations.Remediation.
func (Permissions) Apply(_ context.Context, env *remediations.Env) (*remediations.Result, error) {
	mode := env.DefaultTokenPermissions
	if mode != "read" {
		mode = "write"
	}
	res := &remediations.Result{ID: checks.FixPermissions, Title: "Restrict GITHUB_TOKEN permissions to what each job needs"}
	data := explanationData{Default: mode, Docs: Docs}
	files := checks.Load(env.Snapshot).Files
	r := knowledge.NewRepo(env.Snapshot, files, mode)
	declared := map[string]map[int]bool{} // file → key lines of jobs whose token is now declared
	edited := map[string][]edit.Edit{}
	for _, f := range files {
		if f.Workflow == nil {
			continue
		}
		after, p, err := fix(f, r)
		if err != nil {
			n := remediations.Note{File: f.Path, Line: 1, Message: err.Error()}
			res.Notes = append(res.Notes, n)
			data.Notes = append(data.Notes, n)
			continue
		}
		data.add(p.rows)
		for _, row := range p.rows {
			if row.Review != "" {
				res.Notes = append(res.Notes, remediations.Note{File: row.File, Line: jobLine(f, row.Job),
					Message: fmt.Sprintf("job %q left as it is (%s): %s", row.Job, row.Before, row.Review)})
			}
		}
		if after == nil {
			continue
		}
		res.Changes = append(res.Changes, remediations.Change{Path: f.Path, Before: f.Source.Src, After: after})
		edited[f.Path] = p.edits
		declared[f.Path] = map[int]bool{}
		for j := range p.declared {
			declared[f.Path][j.Key.Line] = true
			if j.Uses != nil {
				declared[f.Path][j.Uses.Line] = true
			}
		}
	}
	if len(res.Changes) == 0 {
		if len(res.Notes) > 0 {
			return res, remediations.ErrNothingToFix
		}
		return nil, remediations.ErrNothingToFix
	}
	res.Fixed = fixed(env.Findings, edited, declared, env.Snapshot)
	expl, err := templates.Render("permissions.md.tmpl", data.escaped())
	if err != nil {
		return nil, fmt.Errorf("permissions: %w", err)
	}
	res.Explanation = expl
	return res, nil
}

// fix plans and applies the permissions of one workflow file. after is nil
// when nothing changes; an error says why a file that needs a change was
// left alone.
func fix(f *workflow.File, r *knowledge.Repo) (after []byte, p plan, err error) {
	p = planFile(f, r)
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

func jobLine(f *workflow.File, id string) int {
	for _, j := range f.Workflow.Jobs {
		if j.ID == id {
			return j.Key.Line
		}
	}
	return 1
}

// fixed lists the permission findings the edits resolve: missing
// permissions of a job whose token is now declared, and excessive grants
// on an edited line.
func fixed(findings []checks.Finding, edited map[string][]edit.Edit, declared map[string]map[int]bool, snap interface {
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
			if declared[f.Primary.File][f.Primary.Line] {
				out = append(out, f.Fingerprint())
			}
		case checks.RuleExcessivePermissions:
			src, err := snap.ReadFile(f.Primary.File)
			if err != nil {
				continue
			}
			s := workflow.NewSource(src)
			at := map[int]bool{f.Primary.Line: true}
			for _, r := range f.Related {
				if r.File == f.Primary.File {
					at[r.Line] = true
				}
			}
			for _, e := range es {
				if l, _ := s.Position(e.Start); at[l] && e.End > e.Start {
					out = append(out, f.Fingerprint())
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
