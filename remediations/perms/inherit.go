package perms

import (
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// inheriting decides the jobs without a block of their own, and the
// workflow block (or default) they inherit.
func (pl *planner) inheriting(list []*job) string {
	if len(list) == 0 {
		return "" // the workflow block reaches no job: nothing to change
	}
	w := pl.f.Workflow
	if w.Permissions == nil {
		return pl.fromDefault(list)
	}
	top := w.Permissions
	T, ok := knowledge.GrantOf(top)
	for _, jb := range list {
		jb.row.Before, jb.row.After, jb.row.Change = show(top, T), show(top, T), "inherits the workflow's permissions"
	}
	switch {
	case !ok:
		for _, jb := range list {
			jb.row.Before, jb.row.After, jb.row.Change = "an expression", "unchanged", "left as it is"
		}
		return ""
	case !T.HasWrite():
		return ""
	case pl.blockSuppressed(top):
		for _, jb := range list {
			jb.row.Change = "left as it is (the workflow block is suppressed)"
		}
		return ""
	}
	if blocked := blockedOf(list); len(blocked) > 0 {
		// Narrowing the workflow block would narrow these jobs too: it
		// stays, and each job that is known gets a narrower block of its own.
		for _, jb := range list {
			if jb.blocked != "" {
				jb.leave()
				continue
			}
			if msg := pl.ownNarrower(jb, top, T); msg != "" {
				return msg
			}
			if jb.row.Change == "inherits the workflow's permissions" {
				jb.row.Change = "inherits the workflow's permissions, which stay for " + names(blocked)
			}
		}
		return ""
	}
	if top.All == "write-all" {
		return pl.fromWriteAll(list, top, T)
	}
	return pl.fromMapping(list, top, T)
}

func blockedOf(list []*job) []*job {
	var out []*job
	for _, jb := range list {
		if jb.blocked != "" {
			out = append(out, jb)
		}
	}
	return out
}

// fromDefault handles jobs that get the repository default: no block in
// the workflow. It adds a read-only workflow block and gives each job that
// needs more its own block; a job whose needs are unknown keeps the
// default, so then only the jobs that are known get blocks of their own.
func (pl *planner) fromDefault(list []*job) string {
	w, mode := pl.f.Workflow, pl.repo.Mode()
	D := knowledge.Default(mode)
	for _, jb := range list {
		jb.row.Before, jb.row.After, jb.row.Change = defaultText(mode), defaultText(mode), "unchanged"
	}
	if w.Has("workflow_call") {
		// A block asking for more than a caller grants stops the run at
		// start-up, and callers outside this repository are not seen.
		for _, jb := range list {
			if knowledge.CalledOnly(w) {
				jb.row.Before, jb.row.After, jb.row.Change = "the caller's grant", "the caller's grant", "unchanged: its callers decide"
			} else {
				jb.row.Change = "left for review"
				jb.row.Review = "the workflow can also be called, and a block asking for more than a caller grants stops the run: " +
					"declare what the job needs once its callers grant it"
			}
		}
		return ""
	}
	// A job's ceiling is what it gets today: the default, and for a job
	// calling a workflow of this repository the id-token: write a called
	// job may ask for.
	ceiling := map[*job]knowledge.Grant{}
	oidcCall := false // a job left as it is passes id-token on to a called job
	for _, jb := range list {
		ceiling[jb] = pl.repo.Effective(pl.f, jb.j).Grant
		if asks, mixed := pl.repo.CalledOIDC(jb.j); asks && mixed && jb.blocked == "" {
			jb.blocked = "a called job asks for id-token: write and another called job has no block of its own: " +
				"a block here would give that job the OIDC token too"
		}
		if asks, _ := pl.repo.CalledOIDC(jb.j); asks && jb.blocked != "" {
			oidcCall = true
		}
	}
	want := func(jb *job) knowledge.Grant {
		return ceiling[jb].Capped(knowledge.Union(map[string]string{"contents": knowledge.Read}, jb.need.Floor()))
	}
	blocked := blockedOf(list)
	if len(blocked) > 0 {
		for _, jb := range blocked {
			jb.leave()
		}
		if mode == "read" && !oidcCall {
			// The read-only default is known: writing it out changes no
			// job but one whose called workflow asks for id-token, which
			// gets a block of its own.
			if msg := pl.p.insertTop(w, pl.lay, needLines(D, knowledge.Need{})); msg != "" {
				return msg
			}
			for _, jb := range list {
				jb.row.After = D.String()
				pl.p.declared[jb.j] = true
				if jb.blocked != "" {
					jb.row.Change += " (the read-only default is now written out)"
					continue
				}
				jb.row.Change = "inherits the read-only default, now written out"
				if g := want(jb); !D.Covers(g) {
					if msg := pl.p.insertJob(jb.j, pl.lay, needLines(g, jb.need)); msg != "" {
						return msg
					}
					pl.record(jb, ceiling[jb], g, "own block added")
				}
			}
			return ""
		}
		for _, jb := range list {
			if jb.blocked != "" {
				continue
			}
			g := want(jb)
			if msg := pl.p.insertJob(jb.j, pl.lay, needLines(g, jb.need)); msg != "" {
				return msg
			}
			pl.p.declared[jb.j] = true
			pl.record(jb, ceiling[jb], g, "own block added")
		}
		return ""
	}
	newTop := D.Capped(pl.topReads(list))
	if msg := pl.p.insertTop(w, pl.lay, needLines(newTop, knowledge.Need{})); msg != "" {
		return msg
	}
	for _, jb := range list {
		pl.p.declared[jb.j] = true
		g := want(jb)
		if newTop.Covers(g) {
			pl.record(jb, ceiling[jb], newTop, "inherits the new read-only workflow block")
			continue
		}
		if msg := pl.p.insertJob(jb.j, pl.lay, needLines(g, jb.need)); msg != "" {
			return msg
		}
		pl.record(jb, ceiling[jb], g, "own block added")
	}
	return ""
}

// topReads is a new read-only workflow block: contents: read, and
// packages: read where a job pulls from GHCR and then needs no block of its
// own.
func (pl *planner) topReads(list []*job) map[string]string {
	want := map[string]string{"contents": knowledge.Read}
	pulls := knowledge.Grant{"contents": knowledge.Read, "packages": knowledge.Read}
	D := knowledge.Default(pl.repo.Mode())
	for _, jb := range list {
		fl := D.Capped(jb.need.Floor())
		if fl["packages"] == knowledge.Read && pulls.Covers(fl) {
			want["packages"] = knowledge.Read
		}
	}
	return want
}

// fromWriteAll replaces a workflow's write-all with the reads its jobs
// need and the writes every one of them uses; a job that needs a write the
// others do not gets its own block.
func (pl *planner) fromWriteAll(list []*job, top *workflow.Permissions, T knowledge.Grant) string {
	if c := knowledge.BlockComment(pl.src, top); c != "" {
		for _, jb := range list {
			jb.row.Kept = append(jb.row.Kept, Keeping{"write-all", "a comment documents it: " + quoteText(c)})
			jb.row.Change = "kept (documented)"
		}
		return ""
	}
	want := map[string]string{"contents": knowledge.Read}
	for _, jb := range list {
		for s, l := range jb.need.Floor() {
			if l == knowledge.Read && knowledge.Rank(want[s]) < 1 {
				want[s] = knowledge.Read
			}
		}
	}
	for _, s := range knowledge.Scopes {
		all := true
		for _, jb := range list {
			all = all && jb.need.Floor()[s] == knowledge.Write
		}
		if all {
			want[s] = knowledge.Write
		}
	}
	newTop := T.Capped(want)
	if msg := pl.p.replaceShorthand(top, pl.lay, needLines(newTop, knowledge.Need{})); msg != "" {
		return msg
	}
	for _, jb := range list {
		g := newTop.Clone()
		for s, l := range jb.need.Floor() {
			if l == knowledge.Write && T[s] == knowledge.Write {
				g[s] = knowledge.Write
			}
		}
		if newTop.Covers(g) {
			pl.record(jb, T, newTop, "inherits the narrowed workflow block")
			continue
		}
		if msg := pl.p.insertJob(jb.j, pl.lay, needLines(g, jb.need)); msg != "" {
			return msg
		}
		pl.record(jb, T, g, "own block added")
	}
	return ""
}

// fromMapping lowers, in the workflow block, each write that not every
// job inheriting it uses; the jobs that use it get their own block with
// it (and its comment). A write every inheriting job uses stays where it
// is: moving it would change nothing.
func (pl *planner) fromMapping(list []*job, top *workflow.Permissions, T knowledge.Grant) string {
	newTop := T.Clone()
	moved := map[string]bool{}
	var nw narrowing
	dropComment := map[string]bool{}
	for i := range top.Scopes {
		s := &top.Scopes[i]
		if s.Level != knowledge.Write || !knowledge.Known(s.Name) {
			continue
		}
		var users []*job
		for _, jb := range list {
			if jb.need.Floor()[s.Name] == knowledge.Write {
				users = append(users, jb)
			}
		}
		if len(users) == len(list) {
			continue
		}
		if pl.suppressed(s.Value.Line, checksExcessive) {
			pl.keptFor(list, users, s.Name, "a suppression comment (excessive-permissions) keeps it")
			continue
		}
		if c := knowledge.GrantComment(pl.src, top, s); c != nil {
			if len(users) == 0 || c.OnBlock {
				pl.keptFor(list, users, s.Name, "a comment documents it: "+quoteText(c.Text))
				continue
			}
			dropComment[s.Name] = true // the comment moves with the grant
		}
		moved[s.Name] = len(users) > 0
		nw.add(s, newTop)
	}
	if nw.empty() {
		return ""
	}
	if msg := nw.apply(pl, top, dropComment, func(_ *workflow.Scope, msg string) string { return msg }); msg != "" {
		return msg
	}
	for _, jb := range list {
		g := newTop.Clone()
		for s := range moved {
			if jb.need.Floor()[s] == knowledge.Write {
				g[s] = knowledge.Write
			}
		}
		if newTop.Covers(g) {
			pl.record(jb, T, newTop, "inherits the narrowed workflow block")
			continue
		}
		if msg := pl.p.insertJob(jb.j, pl.lay, pl.copyLines(top, g, jb.need)); msg != "" {
			return msg
		}
		pl.record(jb, T, g, "own block added (grants moved from the workflow block)")
	}
	return ""
}

// ownNarrower gives a known job that shares a workflow block with a job
// left as it is a block of its own: the workflow's, with the writes it
// does not use lowered (a documented, suppressed or unfamiliar grant
// stays, with its comment).
func (pl *planner) ownNarrower(jb *job, top *workflow.Permissions, T knowledge.Grant) string {
	floor := jb.need.Floor()
	var g knowledge.Grant
	var lines []line
	if top.All == "write-all" {
		if knowledge.BlockComment(pl.src, top) != "" {
			return ""
		}
		want := map[string]string{"contents": knowledge.Read}
		for s, l := range floor {
			want[s] = l
		}
		g = T.Capped(want)
		lines = needLines(g, jb.need)
	} else {
		g = T.Clone()
		for i := range top.Scopes {
			s := &top.Scopes[i]
			if s.Level != knowledge.Write || pl.keepWrite(jb, top, s, floor) != "" {
				continue
			}
			if s.Name == "id-token" {
				delete(g, s.Name)
			} else {
				g[s.Name] = knowledge.Read
			}
		}
		lines = pl.copyLines(top, g, jb.need)
	}
	if g.Equal(T) {
		return ""
	}
	if msg := pl.p.insertJob(jb.j, pl.lay, lines); msg != "" {
		return msg
	}
	pl.record(jb, T, g, "own block added (narrower than the workflow's)")
	return ""
}

// keptFor notes, on the jobs that do not use it, a workflow write kept.
func (pl *planner) keptFor(list, users []*job, scope, why string) {
	for _, jb := range list {
		use := false
		for _, u := range users {
			use = use || u == jb
		}
		if !use {
			jb.row.Kept = append(jb.row.Kept, Keeping{scope, why})
		}
	}
}

// copyLines renders a job block built from the workflow block: its scopes
// in the workflow block's order, each with the comment it has there.
func (pl *planner) copyLines(top *workflow.Permissions, g knowledge.Grant, n knowledge.Need) []line {
	var out []line
	seen := map[string]bool{}
	for i := range top.Scopes {
		s := &top.Scopes[i]
		lvl, ok := g[s.Name]
		if !ok || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		l := line{scope: s.Name, level: lvl}
		if c := knowledge.GrantComment(pl.src, top, s); c != nil && !c.OnBlock {
			l.trailing = c.Trailing
			for _, a := range strings.Split(strings.TrimRight(c.Above, "\r\n"), "\n") {
				if a = strings.TrimSpace(a); a != "" {
					l.above = append(l.above, a)
				}
			}
		} else if lvl == knowledge.Write {
			if why := n.Why(s.Name); why != "" {
				l.trailing = "# " + clip(why, 72)
			}
		}
		out = append(out, l)
	}
	return out
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
