package perms

import (
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/suppress"
	"github.com/hardener/hardener/internal/workflow"
)

// Row is one job in the explanation.
type Row struct {
	File, Job string
	// Before and After are what the job's token gets.
	Before, After string
	// Change says in a few words what happened to the job's permissions.
	Change string
	// Narrowed lists each scope lowered or removed, with what proves the
	// job does not need it; Evidence is the steps the proof was read from.
	Narrowed []Narrowing
	Evidence string
	// Kept lists writes kept although no step is known to use them.
	Kept []Keeping
	// Review says why the job was left as it is.
	Review string
}

// Narrowing is one scope a fix lowered or removed.
type Narrowing struct{ Scope, From, To, Proof string }

// otherScopes stands for the many scopes a job from the repository
// default loses at once; manyScopes is how many make that worth saying.
const (
	otherScopes = "\x00other"
	manyScopes  = 6
)

// Keeping is one write a fix kept, and why.
type Keeping struct{ Scope, Why string }

// plan is the result of one workflow file.
type plan struct {
	edits []edit.Edit
	rows  []Row
	// skip says why the file was left alone.
	skip string
	// declared are the jobs whose token no longer is the repository default.
	declared map[*workflow.Job]bool
}

// job is one job being planned.
type job struct {
	j    *workflow.Job
	need knowledge.Need
	// blocked says why the job must be left as it is; suppressed is set
	// when that is a maintainer's suppression comment rather than needs
	// Hardener cannot know.
	blocked    string
	suppressed bool
	row        *Row
}

// leave records that a blocked job stays as it is: listed for review when
// its needs are unknown, only reported when a suppression keeps it.
func (jb *job) leave() {
	if jb.suppressed {
		jb.row.Change = "left as it is (suppressed)"
		return
	}
	jb.row.Change, jb.row.Review = "left for review", jb.blocked
}

type planner struct {
	f    *workflow.File
	src  []byte
	lay  layout
	repo *knowledge.Repo
	p    plan
}

// planFile decides the permissions of every job of a workflow file.
func planFile(f *workflow.File, r *knowledge.Repo) plan {
	pl := &planner{f: f, src: f.Source.Src, lay: newLayout(f), repo: r, p: plan{declared: map[*workflow.Job]bool{}}}
	var own, inherit []*job
	for _, j := range f.Workflow.Jobs {
		jb := &job{j: j, need: r.Needs(f, j), row: &Row{File: f.Path, Job: j.ID}}
		if !jb.need.Known() {
			jb.blocked = "what it needs is not known: " + jb.need.UnknownSummary()
		}
		key := j.Key.Line
		if j.Uses != nil {
			key = j.Uses.Line
		}
		if pl.suppressed(j.Key.Line, checksMissing) || pl.suppressed(key, checksMissing) {
			jb.blocked, jb.suppressed = "a suppression comment (missing-permissions) leaves its token as it is", true
		}
		if j.Permissions != nil {
			own = append(own, jb)
		} else {
			inherit = append(inherit, jb)
		}
	}
	for _, jb := range own {
		if msg := pl.ownBlock(jb); msg != "" {
			return plan{skip: msg}
		}
	}
	if msg := pl.inheriting(inherit); msg != "" {
		return plan{skip: msg}
	}
	for _, j := range f.Workflow.Jobs {
		for _, jb := range append(own, inherit...) {
			if jb.j == j {
				pl.p.rows = append(pl.p.rows, *jb.row)
			}
		}
	}
	return pl.p
}

// The rules whose suppression comments stop this remediation.
const (
	checksMissing   = checks.RuleMissingPermissions
	checksExcessive = checks.RuleExcessivePermissions
)

func (pl *planner) suppressed(line int, rule string) bool {
	return suppress.Suppressed(pl.f.Source, line, rule)
}

// blockSuppressed reports whether a whole block is silenced: on its key
// or its shorthand value.
func (pl *planner) blockSuppressed(p *workflow.Permissions) bool {
	if pl.suppressed(p.Key.Line, checksExcessive) {
		return true
	}
	return p.AllAt != nil && pl.suppressed(p.AllAt.Line, checksExcessive)
}

// ownBlock narrows a job's own block to what its steps need.
func (pl *planner) ownBlock(jb *job) string {
	perm, row := jb.j.Permissions, jb.row
	g, ok := knowledge.GrantOf(perm)
	if !ok {
		row.Before, row.After, row.Change = "an expression", "unchanged", "left as it is"
		row.Review = "its permissions are not a mapping or a shorthand Hardener can read"
		return ""
	}
	row.Before, row.After, row.Change = show(perm, g), show(perm, g), "unchanged"
	switch {
	case !g.HasWrite():
		return ""
	case pl.blockSuppressed(perm):
		row.Change = "left as it is (suppressed)"
		return ""
	case !jb.need.Known():
		row.Change, row.Review = "left for review", "what it needs is not known: "+jb.need.UnknownSummary()
		return ""
	}
	floor := jb.need.Floor()
	if perm.All == "write-all" {
		if c := knowledge.BlockComment(pl.src, perm); c != "" {
			row.Kept = append(row.Kept, Keeping{"write-all", "a comment documents it: " + quoteText(c)})
			row.Change = "kept (documented)"
			return ""
		}
		ng := g.Capped(knowledge.Union(map[string]string{"contents": knowledge.Read}, floor))
		if msg := pl.p.replaceShorthand(perm, pl.lay, needLines(ng, jb.need)); msg != "" {
			return msg
		}
		pl.record(jb, g, ng, "own block narrowed")
		return ""
	}
	ng := g.Clone()
	var nw narrowing
	for i := range perm.Scopes {
		s := &perm.Scopes[i]
		if keep := pl.keepWrite(jb, perm, s, floor); keep != "" {
			if keep != "needed" {
				row.Kept = append(row.Kept, Keeping{s.Name, keep})
			}
			continue
		}
		nw.add(s, ng)
	}
	if nw.empty() {
		return ""
	}
	undeletable := func(s *workflow.Scope, _ string) string {
		row.Kept = append(row.Kept, Keeping{s.Name, "its line cannot be removed in place"})
		ng[s.Name] = knowledge.Write
		return ""
	}
	if msg := nw.apply(pl, perm, nil, undeletable); msg != "" {
		return msg
	}
	pl.record(jb, g, ng, "own block narrowed")
	return ""
}

// keepWrite says why a write of a block stays ("" when it may be
// lowered; "needed" when a step needs it).
func (pl *planner) keepWrite(jb *job, perm *workflow.Permissions, s *workflow.Scope, floor knowledge.Grant) string {
	switch {
	case s.Level != knowledge.Write:
		return "needed"
	case !knowledge.Known(s.Name):
		return "Hardener does not know what the scope " + s.Name + " is used for"
	case floor[s.Name] == knowledge.Write:
		if jb.need.Scopes[s.Name] != knowledge.Write {
			return jb.need.Keep[s.Name]
		}
		return "needed"
	case pl.suppressed(s.Value.Line, checksExcessive):
		return "a suppression comment (excessive-permissions) keeps it"
	}
	if c := knowledge.GrantComment(pl.src, perm, s); c != nil {
		return "a comment documents it: " + quoteText(c.Text)
	}
	return ""
}

// record fills a row for a job whose token goes from before to after.
func (pl *planner) record(jb *job, before, after knowledge.Grant, change string) {
	row := jb.row
	row.After, row.Change = after.String(), change
	byProof := map[string]*Narrowing{}
	var order []string
	for _, s := range before.Names() {
		to := after[s]
		if knowledge.Rank(to) >= knowledge.Rank(before[s]) {
			continue
		}
		if to == "" {
			to = knowledge.None
		}
		proof := pl.proof(jb, s)
		k := before[s] + "\x00" + to + "\x00" + proof
		if n, ok := byProof[k]; ok {
			n.Scope += ", " + s
			continue
		}
		byProof[k] = &Narrowing{Scope: s, From: before[s], To: to, Proof: proof}
		order = append(order, k)
	}
	for _, k := range order {
		n := *byProof[k]
		if strings.Count(n.Scope, ", ")+1 >= manyScopes && n.From == knowledge.Write && n.To == knowledge.None {
			// The table already shows the grant before and after: a
			// dozen names say no more than "every other write scope".
			n.Scope = otherScopes
		}
		row.Narrowed = append(row.Narrowed, n)
	}
	for _, s := range after.Names() {
		if why := jb.need.Keep[s]; after[s] == knowledge.Write && jb.need.Scopes[s] != knowledge.Write && why != "" && !kept(row, s) {
			row.Kept = append(row.Kept, Keeping{s, why})
		}
	}
	row.Evidence = evidence(jb.need)
}

func kept(row *Row, scope string) bool {
	for _, k := range row.Kept {
		if k.Scope == scope {
			return true
		}
	}
	return false
}

// proof says why a job does not need a scope above what it now has.
func (pl *planner) proof(jb *job, scope string) string {
	n := jb.need
	switch {
	case jb.j.Uses != nil && n.Scopes[scope] == knowledge.Read:
		return "the called workflow's jobs only read it (" + n.Sources[scope] + ")"
	case jb.j.Uses != nil:
		return "the called workflow's jobs do not use it"
	case n.Scopes[scope] == knowledge.Read:
		return "its steps only read it (" + n.Sources[scope] + ")"
	case scope == "id-token":
		return "no `run:` step, and no action that may request an OIDC token"
	case strings.Contains(jb.row.After, scope+": read"):
		return "no step writes it"
	}
	return "no step uses it"
}

// evidence lists what a job's need was read from.
func evidence(n knowledge.Need) string {
	if len(n.Basis) == 0 {
		return "the job has no steps"
	}
	return "every step is known: " + strings.Join(n.Basis, ", ")
}

// show is a block's grant for the explanation, shorthands kept.
func show(p *workflow.Permissions, g knowledge.Grant) string {
	if p != nil && (p.All == "write-all" || p.All == "read-all") {
		return p.All
	}
	return g.String()
}

func defaultText(mode string) string {
	if mode == "read" {
		return "repository default (contents: read, packages: read)"
	}
	return "repository default (read and write)"
}

func quoteText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return "“" + s + "”"
}

// sortedJobs are job IDs, for messages.
func names(js []*job) string {
	var out []string
	for _, jb := range js {
		out = append(out, "`"+jb.j.ID+"`")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
