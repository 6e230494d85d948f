package knowledge

import (
	"sort"

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
func ExcessIn(files Files, w *workflow.Workflow, j *workflow.Job) []ExcessScope {
	perm, inherited := j.Permissions, false
	if perm == nil {
		perm, inherited = w.Permissions, true
	}
	if perm == nil {
		return nil
	}
	granted := writes(perm)
	if len(granted) == 0 {
		return nil
	}
	n := JobNeedsIn(files, w, j)
	if !n.Known() {
		return nil
	}
	var out []ExcessScope
	for _, g := range granted {
		if Rank(n.Scopes[g.scope]) < 2 {
			out = append(out, ExcessScope{Scope: g.scope, At: g.at, Inherited: inherited, Needed: n.Scopes[g.scope]})
		}
	}
	return out
}

type written struct {
	scope string
	at    *workflow.Value
}

// writes lists the scopes a permissions block grants write, sorted.
func writes(p *workflow.Permissions) []written {
	var out []written
	switch p.All {
	case "":
		for i := range p.Scopes {
			if s := &p.Scopes[i]; s.Level == Write {
				out = append(out, written{s.Name, &s.Value})
			}
		}
	case "write-all":
		for _, s := range Scopes {
			if MaxLevel(s) == Write {
				out = append(out, written{s, p.AllAt})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].scope < out[j].scope })
	return out
}
