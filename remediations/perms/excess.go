package perms

import (
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// ExcessScope is a write a job's token is granted but its needs do not
// include.
type ExcessScope struct {
	Scope string
	// At is what grants it: the scope's value or the write-all shorthand.
	At *workflow.Value
	// Inherited is set when the grant is the workflow's block, not the
	// job's own.
	Inherited bool
	// Needed is the level the job needs ("read" or ""), for the message.
	Needed string
}

// Excess lists the write scopes a job is granted, explicitly or through
// the workflow's block, that its needs do not include. It is empty unless
// the job's needs are fully known, and for a job that only has the
// repository default (that is missing-permissions). Local actions and
// local reusable workflows count as unknown; ExcessIn reads them.
func Excess(w *workflow.Workflow, j *workflow.Job) []ExcessScope { return ExcessIn(nil, w, j) }

// ExcessIn is Excess with access to the repository's files (a
// *repo.Snapshot) for local actions and reusable workflows.
func ExcessIn(files knowledge.Files, w *workflow.Workflow, j *workflow.Job) []ExcessScope {
	perm, inherited := j.Permissions, false
	if perm == nil {
		perm, inherited = w.Permissions, true
	}
	if perm == nil {
		return nil
	}
	g, ok := grantOf(perm)
	if !ok || !g.hasWrite() {
		return nil
	}
	n := knowledge.JobNeedsIn(files, w, j)
	if !n.Known() {
		return nil
	}
	return excessOf(g, perm, n, inherited)
}

func excessOf(g grant, perm *workflow.Permissions, n knowledge.Need, inherited bool) []ExcessScope {
	var out []ExcessScope
	if perm.All != "" {
		for _, s := range g.names() {
			if g.scopes[s] == knowledge.Write && knowledge.Rank(n.Scopes[s]) < 2 {
				out = append(out, ExcessScope{Scope: s, At: perm.AllAt, Inherited: inherited, Needed: n.Scopes[s]})
			}
		}
		return out
	}
	for i := range perm.Scopes {
		s := &perm.Scopes[i]
		if s.Level == knowledge.Write && knowledge.Rank(n.Scopes[s.Name]) < 2 {
			out = append(out, ExcessScope{Scope: s.Name, At: &s.Value, Inherited: inherited, Needed: n.Scopes[s.Name]})
		}
	}
	return out
}
