package checks

import (
	"path"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// taint says where the text of an expression can come from: set when an
// attacker (or a caller that may pass an attacker's text) decides it.
type taint struct {
	set  bool
	sev  Severity
	conf Confidence
	// origin is the attacker-controlled source as written
	// (github.event.issue.title), or what the boundary is (inputs.name).
	origin string
	// via are the places the text passed through on its way (an env:
	// value, a matrix entry, a step output, a caller's with:).
	via []Location
	// why explains a boundary finding: who may pass untrusted text.
	why string
}

// worse returns the more severe of two taints (the first on a tie).
func (t taint) worse(o taint) taint {
	if !o.set {
		return t
	}
	if !t.set || o.sev > t.sev {
		return o
	}
	return t
}

// through records that the text passed through a place.
func (t taint) through(l Location, note string) taint {
	if !t.set {
		return t
	}
	l.Note = note
	t.via = append(append([]Location(nil), l), t.via...)
	return t
}

// scope is where an expression is evaluated.
type scope struct {
	f   *workflow.File
	job *workflow.Job // nil in actions and at workflow level
	// step is the index of the step being evaluated, len(steps) after
	// the last one (job outputs), -1 outside steps.
	step int
	// envLevel is where `env.` lookups start: 0 step, 1 job, 2 workflow.
	envLevel int
	// call binds `inputs.` of an action or reusable workflow to one call
	// site; nil means every caller in the repository.
	call *callSite
}

// callSite is a `uses:` of a local action (a step) or reusable workflow
// (a job).
type callSite struct {
	f    *workflow.File
	job  *workflow.Job
	step int // -1 for a job-level call
	with []workflow.KV
	at   *workflow.Value
}

func (c *callSite) scope() scope {
	if c.step < 0 {
		return scope{f: c.f, job: c.job, step: -1, envLevel: 1}
	}
	return scope{f: c.f, job: c.job, step: c.step}
}

func (sc scope) steps() []*workflow.Step {
	switch {
	case sc.job != nil:
		return sc.job.Steps
	case sc.f.Action != nil:
		return sc.f.Action.Steps
	}
	return nil
}

// maxTaintDepth bounds how far the analysis follows values through env,
// outputs and callers.
const maxTaintDepth = 24

// engine follows attacker-controlled text through a repository's files.
type engine struct {
	files   map[string]*workflow.File
	callers map[string][]*callSite // by the called file or action directory
	memo    map[memoKey]taint
	busy    map[memoKey]bool
	depth   int
	// sites interns call sites so that memoised answers are reused.
	sites map[siteKey]*callSite
	// work counts resolutions; past budget the engine answers "unknown"
	// (a hostile repository can chain actions to make the search blow up).
	work, budget int
}

type siteKey struct {
	f    *workflow.File
	job  *workflow.Job
	step int
}

// site returns the call site of a `uses:` in a file, job and step (-1 for
// a job-level call), one value per place.
func (e *engine) site(f *workflow.File, job *workflow.Job, step int, with []workflow.KV, at *workflow.Value) *callSite {
	k := siteKey{f, job, step}
	if c, ok := e.sites[k]; ok {
		return c
	}
	c := &callSite{f: f, job: job, step: step, with: with, at: at}
	e.sites[k] = c
	return c
}

// taintEngine returns the repository's engine, built once per snapshot.
func taintEngine(snap *repo.Snapshot) *engine {
	m := Load(snap) // Memo is not reentrant: load the model first
	return snap.Memo("checks.taint", func() any { return newEngine(m) }).(*engine)
}

func newEngine(m *Model) *engine {
	e := &engine{files: map[string]*workflow.File{}, callers: map[string][]*callSite{},
		memo: map[memoKey]taint{}, busy: map[memoKey]bool{}, sites: map[siteKey]*callSite{}, budget: 200000}
	for _, f := range m.Files {
		e.files[f.Path] = f
		e.budget += 20 * len(f.Source.Src)
	}
	add := func(f *workflow.File, job *workflow.Job, step int, uses *workflow.Value, with []workflow.KV) {
		if uses == nil {
			return
		}
		u, ok := ParseUses(uses.Value)
		if !ok || !u.Local {
			return
		}
		c := e.site(f, job, step, with, uses)
		e.callers[u.LocalPath()] = append(e.callers[u.LocalPath()], c)
	}
	for _, f := range m.Files {
		if f.Workflow != nil {
			for _, j := range f.Workflow.Jobs {
				add(f, j, -1, j.Uses, j.With)
				for i, s := range j.Steps {
					add(f, j, i, s.Uses, s.With)
				}
			}
		}
		if f.Action != nil {
			for i, s := range f.Action.Steps {
				add(f, nil, i, s.Uses, s.With)
			}
		}
	}
	return e
}

// callersOf lists the call sites of a workflow or action file.
func (e *engine) callersOf(f *workflow.File) []*callSite {
	if f.Action != nil {
		return e.callers[path.Dir(f.Path)]
	}
	return e.callers[f.Path]
}

// localFile returns the action or workflow a local `uses:` names.
func (e *engine) localFile(uses string) *workflow.File {
	u, ok := ParseUses(uses)
	if !ok || !u.Local {
		return nil
	}
	p := u.LocalPath()
	if f := e.files[p]; f != nil {
		return f
	}
	for _, name := range []string{"action.yml", "action.yaml"} {
		if f := e.files[path.Join(p, name)]; f != nil {
			return f
		}
	}
	return nil
}

// memoKey identifies a context path evaluated in a scope.
type memoKey struct {
	f        *workflow.File
	job      *workflow.Job
	step     int
	envLevel int
	call     *callSite
	path     string
}

func (sc scope) key(p string) memoKey {
	return memoKey{f: sc.f, job: sc.job, step: sc.step, envLevel: sc.envLevel, call: sc.call, path: p}
}

// text returns the taint of a value: the worst of its expressions.
func (e *engine) text(v *workflow.Value, sc scope) taint {
	if v == nil || !strings.Contains(v.Value, "${{") {
		return taint{}
	}
	var t taint
	for _, x := range workflow.Expressions(v.Value) {
		for _, fl := range x.Flows() {
			t = t.worse(e.ref(fl, sc))
		}
	}
	return t
}

// ref returns the taint of one context reference.
func (e *engine) ref(fl workflow.Flow, sc scope) taint {
	k := sc.key(fl.Path)
	if t, ok := e.memo[k]; ok {
		return t
	}
	if e.busy[k] || e.depth > maxTaintDepth || e.work > e.budget {
		return taint{} // a cycle, too deep, or too much work to follow
	}
	e.work++
	e.busy[k] = true
	e.depth++
	t := e.resolve(fl, sc)
	e.depth--
	delete(e.busy, k)
	e.memo[k] = t
	return t
}

func (e *engine) resolve(fl workflow.Flow, sc scope) taint {
	segs := strings.Split(fl.Path, ".")
	switch segs[0] {
	case "github":
		if src, sev := classifyGitHub(fl.Path, sc.f.Workflow); src != "" {
			origin := fl.Raw
			if !strings.EqualFold(fl.Path, src) {
				origin = fl.Raw + " (which holds " + src + ")"
			}
			return taint{set: true, sev: sev, conf: ConfidenceHigh, origin: origin}
		}
	case "inputs":
		return e.input(segs[1:], sc)
	case "env":
		return e.env(segs[1:], sc)
	case "matrix":
		return e.matrix(segs[1:], sc)
	case "steps":
		if len(segs) >= 2 && (len(segs) == 2 || segs[2] == "outputs") {
			name := "*"
			if len(segs) > 3 {
				name = segs[3]
			}
			return e.stepOutput(segs[1], name, sc)
		}
	case "needs":
		return e.needs(segs[1:], sc)
	case "jobs":
		if len(segs) >= 2 && sc.f.Workflow != nil && (len(segs) == 2 || segs[2] == "outputs") {
			name := "*"
			if len(segs) > 3 {
				name = segs[3]
			}
			return e.jobOutput(sc.f, sc.f.Workflow.Job(segs[1]), name, sc.call)
		}
	}
	return taint{}
}

// env resolves `env.NAME` (or the whole env context) from the step, job
// and workflow `env:` maps, then from $GITHUB_ENV writes of earlier steps,
// then from the callers of a composite action.
func (e *engine) env(rest []string, sc scope) taint {
	name := "*"
	if len(rest) > 0 {
		name = rest[0]
	}
	var t taint
	found := false
	try := func(kvs []workflow.KV, level int) {
		for i := range kvs {
			kv := &kvs[i]
			if name != "*" && !strings.EqualFold(kv.Key.Value, name) {
				continue
			}
			found = true
			inner := sc
			inner.envLevel = level + 1
			t = t.worse(e.text(&kv.Value, inner).through(loc(sc.f, &kv.Value), "env "+kv.Key.Value))
		}
	}
	steps := sc.steps()
	if sc.envLevel == 0 && sc.step >= 0 && sc.step < len(steps) {
		try(steps[sc.step].Env, 0)
	}
	if !found && sc.envLevel <= 1 && sc.job != nil {
		try(sc.job.Env, 1)
	}
	if !found && sc.envLevel <= 2 && sc.f.Workflow != nil {
		try(sc.f.Workflow.Env, 2)
	}
	if found && name != "*" {
		return t
	}
	// Written to $GITHUB_ENV by an earlier step of the job or action.
	for i := 0; i < min(sc.step, len(steps)); i++ {
		s := steps[i]
		if s.Run == nil {
			continue
		}
		for _, w := range shellWrites(s.Run.Value, "GITHUB_ENV") {
			if name == "*" || strings.EqualFold(w.name, name) {
				t = t.worse(e.script(w.text, s.Run.Value, scope{f: sc.f, job: sc.job, step: i, call: sc.call}).
					through(e.scriptLoc(sc.f, s.Run, w.offset), "written to $GITHUB_ENV"))
			}
		}
	}
	if sc.f.Action != nil && !found {
		for _, c := range e.actionCalls(sc) {
			t = t.worse(e.env(rest, c.scope()))
		}
	}
	return t
}

// actionCalls are the call sites that bind an action's contexts.
func (e *engine) actionCalls(sc scope) []*callSite {
	if sc.call != nil {
		return []*callSite{sc.call}
	}
	return e.callersOf(sc.f)
}

// script returns the taint of a piece of a `run:` script: its expressions
// and the environment and script variables it reads.
func (e *engine) script(text, whole string, sc scope) taint {
	t := e.text(&workflow.Value{Value: text}, sc)
	vars := shellVars(text)
	if len(vars) == 0 {
		return t
	}
	assigned := shellAssignments(whole)
	seen := map[string]bool{}
	for len(vars) > 0 {
		v := vars[0]
		vars = vars[1:]
		if seen[v] || len(seen) > 64 {
			continue
		}
		seen[v] = true
		if rhs, ok := assigned[v]; ok {
			t = t.worse(e.text(&workflow.Value{Value: rhs}, sc))
			vars = append(vars, shellVars(rhs)...)
			continue
		}
		if strings.HasPrefix(v, "GITHUB_") || strings.HasPrefix(v, "RUNNER_") {
			continue // set by the runner
		}
		t = t.worse(e.ref(workflow.Flow{ContextRef: workflow.ContextRef{Path: "env." + strings.ToLower(v), Raw: "$" + v}}, sc))
	}
	return t
}

// scriptLoc is the place of a line of a run: script in the file.
func (e *engine) scriptLoc(f *workflow.File, run *workflow.Value, offset int) Location {
	off := run.SourceOffsets(f.Source.Src, []int{offset})[0]
	return locAt(f, off, f.Source.LineEnd(lineOf(f, off)))
}

func lineOf(f *workflow.File, off int) int {
	l, _ := f.Source.Position(off)
	return l
}
