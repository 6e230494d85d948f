package perms

import (
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// narrowing is the edit of one permissions block: each write to narrow
// is lowered to read, except id-token, which has no read level and is
// removed. A job's own block and the workflow block are narrowed alike.
type narrowing struct {
	lower, drop []*workflow.Scope
}

// add narrows s and records its new level in g.
func (n *narrowing) add(s *workflow.Scope, g knowledge.Grant) {
	if s.Name == "id-token" {
		n.drop = append(n.drop, s)
		delete(g, s.Name)
		return
	}
	n.lower = append(n.lower, s)
	g[s.Name] = knowledge.Read
}

func (n *narrowing) empty() bool { return len(n.lower)+len(n.drop) == 0 }

// apply edits perm. dropComment names the scopes whose trailing comment
// goes (it moved with the grant). undeletable is told of a scope whose
// line cannot be removed in place, with the reason; it returns the
// message to give up with, or "" to go on. apply returns a message when
// the block cannot be edited.
func (n *narrowing) apply(pl *planner, perm *workflow.Permissions, dropComment map[string]bool, undeletable func(s *workflow.Scope, msg string) string) string {
	if len(n.drop) == len(perm.Scopes) {
		return pl.p.emptyBlock(perm, pl.src)
	}
	for _, s := range n.drop {
		if msg := pl.p.deleteScope(pl.src, perm, s); msg != "" {
			if msg = undeletable(s, msg); msg != "" {
				return msg
			}
		}
	}
	for _, s := range n.lower {
		if msg := pl.p.setLevel(pl.src, perm, s, knowledge.Read, dropComment[s.Name]); msg != "" {
			return msg
		}
	}
	return ""
}
