package checks

import (
	"context"
	"fmt"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

type missingPermissions struct{}

func (missingPermissions) ID() string { return RuleMissingPermissions }

func (missingPermissions) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil || w.Permissions != nil {
			continue
		}
		for _, j := range w.Jobs {
			if j.Permissions != nil {
				continue
			}
			out = append(out, Finding{Rule: RuleMissingPermissions, Severity: Medium, Confidence: ConfidenceHigh,
				Message: fmt.Sprintf("job %q has no permissions block and the workflow has none: its GITHUB_TOKEN gets the "+
					"repository default, often write access to contents, packages and pull requests", j.ID),
				Remediation: FixPermissions, Primary: loc(f, &j.Key),
				Related: []Location{{File: f.Path, Line: w.OnKey.Line, Column: w.OnKey.Column, Note: "no top-level permissions in this workflow"}}})
		}
	}
	return out, nil
}

type excessivePermissions struct{}

func (excessivePermissions) ID() string { return RuleExcessivePermissions }

func (excessivePermissions) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		w := f.Workflow
		if w == nil {
			continue
		}
		if p := w.Permissions; p != nil {
			out = append(out, excessive(f, p, "the workflow", true)...)
		}
		for _, j := range w.Jobs {
			p := j.Permissions
			if p == nil {
				continue
			}
			out = append(out, excessive(f, p, fmt.Sprintf("job %q", j.ID), false)...)
			if p.All != "" {
				continue // write-all is reported above
			}
			// With the knowledge base: writes this job's steps do not need.
			for _, e := range knowledge.ExcessIn(snap, w, j) {
				need := "nothing"
				if e.Needed != "" {
					need = e.Needed
				}
				out = append(out, Finding{Rule: RuleExcessivePermissions, Severity: Low, Confidence: ConfidenceMedium,
					Message: fmt.Sprintf("job %q grants %s: write but its steps need %s of it (from the actions' documented needs)",
						j.ID, e.Scope, need),
					Remediation: FixPermissions, Primary: loc(f, e.At)})
			}
		}
	}
	return out, nil
}

// excessive flags write-all anywhere and write scopes given to every job.
func excessive(f *workflow.File, p *workflow.Permissions, who string, top bool) []Finding {
	var out []Finding
	if p.AllAt != nil && p.All == "write-all" {
		out = append(out, Finding{Rule: RuleExcessivePermissions, Severity: High, Confidence: ConfidenceHigh,
			Message:     fmt.Sprintf("%s grants write-all: every scope of the GITHUB_TOKEN can be written by every step", who),
			Remediation: FixPermissions, Primary: loc(f, p.AllAt)})
	}
	if !top {
		return out
	}
	for i := range p.Scopes {
		s := &p.Scopes[i]
		if s.Level != "write" {
			continue
		}
		out = append(out, Finding{Rule: RuleExcessivePermissions, Severity: Medium, Confidence: ConfidenceMedium,
			Message: fmt.Sprintf("%s: write granted at the workflow level, so every job gets it; grant it only to the job that needs it",
				s.Name),
			Remediation: FixPermissions, Primary: loc(f, &s.Value)})
	}
	return out
}
