package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/suppress"
	"github.com/hardener/hardener/internal/workflow"
)

// permsRepo is the permissions view of the snapshot, shared by both
// permission rules. The scan does not know the repository's default, so it
// assumes GitHub's permissive one, as the CLI does.
func permsRepo(snap *repo.Snapshot) *knowledge.Repo {
	files := Load(snap).Files // outside Memo, which does not nest
	return snap.Memo("checks.perms", func() any {
		return knowledge.NewRepo(snap, files, "write")
	}).(*knowledge.Repo)
}

// workflowAt returns the parsed workflow at path, or nil.
func workflowAt(snap *repo.Snapshot, path string) *workflow.File {
	for _, f := range Load(snap).Files {
		if f.Path == path && f.Workflow != nil {
			return f
		}
	}
	return nil
}

// calleeTrigger locates the `workflow_call` trigger of a local workflow a
// job calls, for findings about the call.
func calleeTrigger(snap *repo.Snapshot, j *workflow.Job, note string) []Location {
	if j.Uses == nil || !knowledge.IsLocalWorkflow(j.Uses.Value) {
		return nil
	}
	cf := workflowAt(snap, knowledge.LocalWorkflowPath(j.Uses.Value))
	if cf == nil {
		return nil
	}
	for i := range cf.Workflow.On {
		if t := &cf.Workflow.On[i]; t.Name == "workflow_call" {
			return []Location{{File: cf.Path, Line: t.At.Line, Column: t.At.Column, Note: note}}
		}
	}
	return nil
}

type missingPermissions struct{}

func (missingPermissions) ID() string { return RuleMissingPermissions }

// Run reports jobs whose token is the repository default. A workflow that
// only runs when called gets its caller's grant, so it is not reported
// itself: a caller that passes on the default is, at its `uses:`.
func (missingPermissions) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil || w.Permissions != nil || knowledge.CalledOnly(w) {
			continue
		}
		top := Location{File: f.Path, Line: w.OnKey.Line, Column: w.OnKey.Column, Note: "no top-level permissions in this workflow"}
		for _, j := range w.Jobs {
			if j.Permissions != nil {
				continue
			}
			fd := Finding{Rule: RuleMissingPermissions, Severity: Medium, Confidence: ConfidenceHigh,
				Message: fmt.Sprintf("job %q has no permissions block and the workflow has none: its GITHUB_TOKEN gets the "+
					"repository default, often write access to contents, packages and pull requests", j.ID),
				Remediation: FixPermissions, Primary: loc(f, &j.Key), Related: []Location{top}}
			if j.Uses != nil {
				fd.Message = fmt.Sprintf("job %q calls %s with the repository's default token (no permissions block here or "+
					"in the workflow): the called workflow's jobs get the default, often write access to contents, "+
					"packages and pull requests, unless they declare less", j.ID, j.Uses.Value)
				fd.Primary = loc(f, j.Uses)
				fd.Related = append(calleeTrigger(snap, j, "the called workflow's jobs get the caller's token"), top)
			}
			out = append(out, fd)
		}
	}
	return out, nil
}

type excessivePermissions struct{}

func (excessivePermissions) ID() string { return RuleExcessivePermissions }

func (excessivePermissions) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	r := permsRepo(snap)
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil {
			continue
		}
		if p := w.Permissions; p != nil {
			out = append(out, writeAll(f, p, "the workflow")...)
			out = append(out, inheritedWrites(r, f)...)
		}
		for _, j := range w.Jobs {
			if p := j.Permissions; p != nil {
				out = append(out, writeAll(f, p, fmt.Sprintf("job %q", j.ID))...)
				out = append(out, unneededWrites(snap, r, f, j)...)
			}
		}
	}
	return out, nil
}

// writeAll flags the write-all shorthand.
func writeAll(f *workflow.File, p *workflow.Permissions, who string) []Finding {
	if p.AllAt == nil || p.All != "write-all" {
		return nil
	}
	return []Finding{{Rule: RuleExcessivePermissions, Severity: High, Confidence: ConfidenceHigh,
		Message:     fmt.Sprintf("%s grants write-all: every scope of the GITHUB_TOKEN can be written by every step", who),
		Remediation: FixPermissions, Primary: loc(f, p.AllAt)}}
}

// inheritedWrites flags a write at the workflow level that reaches a job
// without its own block that does not use it. A write that every job
// inheriting it uses (a single-job workflow, say) is where it belongs:
// moving it to the job level would change nothing.
func inheritedWrites(r *knowledge.Repo, f *workflow.File) []Finding {
	w := f.Workflow
	var out []Finding
	for i := range w.Permissions.Scopes {
		s := &w.Permissions.Scopes[i]
		if s.Level != knowledge.Write || !knowledge.Known(s.Name) {
			continue
		}
		var inherit, use, unused, unknown []string
		for _, j := range w.Jobs {
			if j.Permissions != nil {
				continue
			}
			inherit = append(inherit, j.ID)
			n := r.Needs(f, j)
			switch {
			case n.Floor()[s.Name] == knowledge.Write:
				use = append(use, j.ID)
			case n.Known():
				unused = append(unused, j.ID)
			default:
				unknown = append(unknown, j.ID)
			}
		}
		if len(unused) == 0 && (len(unknown) == 0 || len(inherit) == 1) {
			continue
		}
		msg := fmt.Sprintf("%s: write is granted at the workflow level and inherited by %s", s.Name, jobList(inherit))
		conf := ConfidenceHigh
		if len(unused) > 0 {
			msg += fmt.Sprintf("; %s %s not use it", jobList(unused), plural(unused, "does", "do"))
		} else {
			conf = ConfidenceLow
			msg += "; what they need is not known"
		}
		switch {
		case len(use) > 0:
			msg += fmt.Sprintf("; grant it only to %s, in a job-level block", jobList(use))
		case len(unknown) > 0:
			msg += "; grant it only to the jobs that need it"
		case s.Name == "id-token":
			msg += "; remove it"
		default:
			msg += "; lower it to read"
		}
		if blockSuppressed(f, w.Permissions) {
			continue
		}
		out = append(out, commented(f, w.Permissions, s, Finding{Rule: RuleExcessivePermissions, Severity: Medium,
			Confidence: conf, Message: msg, Remediation: FixPermissions, Primary: loc(f, &s.Value)}))
	}
	return out
}

// unneededWrites flags the writes of a job's own block that its steps are
// known not to use. For a job that calls a reusable workflow the finding
// is at the call, with the grant and the called workflow as related
// places.
func unneededWrites(snap *repo.Snapshot, r *knowledge.Repo, f *workflow.File, j *workflow.Job) []Finding {
	p := j.Permissions
	if p.All != "" {
		return nil // write-all is reported on its own; read-all grants no write
	}
	n := r.Needs(f, j)
	if !n.Known() || blockSuppressed(f, p) {
		return nil
	}
	floor := n.Floor()
	var out []Finding
	for i := range p.Scopes {
		s := &p.Scopes[i]
		if s.Level != knowledge.Write || !knowledge.Known(s.Name) || floor[s.Name] == knowledge.Write {
			continue
		}
		need := "nothing"
		if l := floor[s.Name]; l != "" {
			need = l
		}
		fd := Finding{Rule: RuleExcessivePermissions, Severity: Low, Confidence: ConfidenceMedium,
			Message: fmt.Sprintf("job %q grants %s: write but its steps need %s of it (from the actions' documented needs)",
				j.ID, s.Name, need),
			Remediation: FixPermissions, Primary: loc(f, &s.Value)}
		if j.Uses != nil {
			if suppress.Suppressed(f.Source, s.Value.Line, RuleExcessivePermissions) {
				continue
			}
			fd.Message = fmt.Sprintf("job %q grants %s: write to %s, whose jobs need %s of it", j.ID, s.Name, j.Uses.Value, need)
			fd.Primary = loc(f, j.Uses)
			grant := loc(f, &s.Value)
			grant.Note = "the grant the called workflow's jobs are capped by"
			fd.Related = append([]Location{grant}, calleeTrigger(snap, j, "the called workflow")...)
		}
		out = append(out, commented(f, p, s, fd))
	}
	return out
}

// blockSuppressed reports whether a suppression comment on a block's
// `permissions:` key covers every grant in it, as it does for the fix.
func blockSuppressed(f *workflow.File, p *workflow.Permissions) bool {
	return suppress.Suppressed(f.Source, p.Key.Line, RuleExcessivePermissions)
}

// commented lowers a finding on a grant that a maintainer documented with
// a comment to info: it is their decision, and the fix keeps it.
func commented(f *workflow.File, p *workflow.Permissions, s *workflow.Scope, fd Finding) Finding {
	if c := knowledge.GrantComment(f.Source.Src, p, s); c != nil {
		fd.Severity = Info
		fd.Message += fmt.Sprintf(" (kept: a comment documents it: %q)", clip(c.Text, 60))
	}
	return fd
}

func jobList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	if len(q) > 5 {
		q = append(q[:5], fmt.Sprintf("%d more", len(ids)-5))
	}
	return plural(ids, "job ", "jobs ") + strings.Join(q, ", ")
}

func plural(list []string, one, many string) string {
	if len(list) == 1 {
		return one
	}
	return many
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
