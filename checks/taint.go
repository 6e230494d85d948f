package checks

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
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
}

// taintEngine returns the repository's engine, built once per snapshot.
func taintEngine(snap *repo.Snapshot) *engine {
	m := Load(snap) // Memo is not reentrant: load the model first
	return snap.Memo("checks.taint", func() any { return newEngine(m) }).(*engine)
}

func newEngine(m *Model) *engine {
	e := &engine{files: map[string]*workflow.File{}, callers: map[string][]*callSite{},
		memo: map[memoKey]taint{}, busy: map[memoKey]bool{}}
	for _, f := range m.Files {
		e.files[f.Path] = f
	}
	add := func(f *workflow.File, job *workflow.Job, step int, uses *workflow.Value, with []workflow.KV) {
		if uses == nil {
			return
		}
		u, ok := ParseUses(uses.Value)
		if !ok || !u.Local {
			return
		}
		c := &callSite{f: f, job: job, step: step, with: with, at: uses}
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
	if e.busy[k] || e.depth > maxTaintDepth {
		return taint{} // a cycle, or too deep to follow
	}
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

// matrix resolves `matrix.…` from the job's matrix.
func (e *engine) matrix(rest []string, sc scope) taint {
	if sc.job == nil {
		var t taint
		if sc.f.Action != nil {
			for _, c := range e.actionCalls(sc) {
				t = t.worse(e.matrix(rest, c.scope()))
			}
		}
		return t
	}
	if len(rest) == 0 {
		rest = []string{"*"}
	}
	m := sc.job.Matrix
	if m == nil {
		return taint{}
	}
	js := scope{f: sc.f, job: sc.job, step: -1, envLevel: 1, call: sc.call}
	var vals, dyn []*workflow.Value
	if rest[0] == "*" {
		for _, r := range m.Rows {
			v, d := m.Values([]string{r.Key.Value})
			vals, dyn = append(vals, v...), append(dyn, d...)
		}
		for _, inc := range m.Include {
			vals = inc.Scalars(vals)
		}
		if m.Expr != nil {
			dyn = append(dyn, m.Expr)
		}
	} else {
		vals, dyn = m.Values(rest)
	}
	var t taint
	for _, v := range append(vals, dyn...) {
		t = t.worse(e.text(v, js).through(loc(sc.f, v), "matrix value"))
	}
	return t
}

// input resolves `inputs.NAME` of a composite action or reusable workflow
// from what its callers pass, and says who else may call it.
func (e *engine) input(rest []string, sc scope) taint {
	name := "*"
	if len(rest) > 0 {
		name = rest[0]
	}
	var defs []workflow.Input
	reusable := false
	switch {
	case sc.f.Action != nil:
		defs = sc.f.Action.InputDefs
	case sc.f.Workflow != nil:
		w := sc.f.Workflow
		reusable = w.Has("workflow_call")
		for _, in := range w.Inputs {
			if in.Event == "workflow_call" || !reusable {
				defs = append(defs, in)
			}
		}
		if !reusable {
			return taint{} // workflow_dispatch: only people with write access choose inputs
		}
	}
	var t taint
	for _, name := range inputNames(name, defs) {
		t = t.worse(e.oneInput(name, defs, sc))
	}
	return t
}

func inputNames(name string, defs []workflow.Input) []string {
	if name != "*" {
		return []string{name}
	}
	var out []string
	for _, d := range defs {
		out = append(out, d.Name)
	}
	return out
}

func (e *engine) oneInput(name string, defs []workflow.Input, sc scope) taint {
	var def *workflow.Input
	for i := range defs {
		if strings.EqualFold(defs[i].Name, name) {
			def = &defs[i]
		}
	}
	if def != nil {
		switch def.Type {
		case "boolean", "number", "choice", "environment":
			return taint{} // GitHub checks the value's type
		}
	}
	calls := e.actionCalls(sc)
	var t taint
	for _, c := range calls {
		var given *workflow.Value
		for i := range c.with {
			if strings.EqualFold(c.with[i].Key.Value, name) {
				given = &c.with[i].Value
			}
		}
		switch {
		case given != nil:
			t = t.worse(e.text(given, c.scope()).through(loc(c.f, given), "passed by a caller"))
		case def != nil && def.Default != nil:
			t = t.worse(e.text(def.Default, c.scope()).through(loc(sc.f, def.Default), "the input's default"))
		}
	}
	if sc.call != nil {
		return t
	}
	if len(calls) == 0 && def != nil && def.Default != nil {
		t = t.worse(e.text(def.Default, scope{f: sc.f, step: -1, envLevel: 2}).through(loc(sc.f, def.Default), "the input's default"))
	}
	raw := "inputs." + name
	if def != nil {
		raw = "inputs." + def.Name
	}
	switch {
	case sc.f.Action != nil && !strings.HasPrefix(sc.f.Path, ".github/"):
		t = t.worse(taint{set: true, sev: Medium, conf: ConfidenceMedium, origin: raw,
			why: "this action is published: any workflow that uses it may pass untrusted text"})
	case len(calls) == 0 && sc.f.Action != nil:
		t = t.worse(taint{set: true, sev: Low, conf: ConfidenceLow, origin: raw,
			why: "no workflow of this repository uses the action, so what callers pass is unknown"})
	case len(calls) == 0:
		t = t.worse(taint{set: true, sev: Low, conf: ConfidenceLow, origin: raw,
			why: "no workflow of this repository calls it, so a caller elsewhere may pass untrusted text"})
	}
	return t
}

// stepOutput resolves `steps.ID.outputs.NAME` from an earlier step of the
// same job or action.
func (e *engine) stepOutput(id, name string, sc scope) taint {
	steps := sc.steps()
	limit := len(steps)
	if sc.step >= 0 && sc.step < limit {
		limit = sc.step
	}
	var t taint
	for i := 0; i < limit; i++ {
		s := steps[i]
		if s.ID == nil || !strings.EqualFold(s.ID.Value, id) {
			continue
		}
		ss := scope{f: sc.f, job: sc.job, step: i, call: sc.call}
		if s.Run != nil {
			for _, w := range shellWrites(s.Run.Value, "GITHUB_OUTPUT") {
				if name == "*" || w.name == name {
					t = t.worse(e.script(w.text, s.Run.Value, ss).through(e.scriptLoc(sc.f, s.Run, w.offset), "written to $GITHUB_OUTPUT"))
				}
			}
		}
		if u, ok := usesOf(s); ok && u.Is("actions/github-script") {
			if v := s.WithValue("script"); v != nil {
				t = t.worse(e.scriptOutput(v, name, sc.f))
			}
		}
		if u, ok := usesOf(s); ok && !u.Local && !u.Docker {
			if src := knowledge.UntrustedOutputsOf(u.Name()); src != nil && (name == "*" || src.Carries(name)) {
				if ok, sev := carried("pull-request-outputs", sc.f.Workflow); ok {
					t = t.worse(taint{set: true, sev: sev, conf: ConfidenceMedium,
						origin: fmt.Sprintf("%s output %s (%s)", u.Name(), name, src.What)}.through(loc(sc.f, s.Uses), "the action"))
				}
			}
		}
		if s.Uses != nil {
			if af := e.localFile(s.Uses.Value); af != nil && af.Action != nil {
				call := &callSite{f: sc.f, job: sc.job, step: i, with: s.With, at: s.Uses}
				as := scope{f: af, step: len(af.Action.Steps), envLevel: 0, call: call}
				for k := range af.Action.Outputs {
					o := &af.Action.Outputs[k]
					if o.Value != nil && (name == "*" || strings.EqualFold(o.Name, name)) {
						t = t.worse(e.text(o.Value, as).through(loc(af, o.Value), "action output "+o.Name))
					}
				}
			}
		}
	}
	return t
}

// needs resolves `needs.JOB.outputs.NAME` (or a whole job or all needs).
func (e *engine) needs(rest []string, sc scope) taint {
	w := sc.f.Workflow
	if w == nil || sc.job == nil {
		return taint{}
	}
	name := "*"
	if len(rest) > 2 && rest[1] == "outputs" {
		name = rest[2]
	} else if len(rest) > 1 && rest[1] != "outputs" {
		return taint{} // needs.x.result
	}
	var t taint
	for _, n := range sc.job.Needs {
		if len(rest) > 0 && !strings.EqualFold(n, rest[0]) {
			continue
		}
		t = t.worse(e.jobOutput(sc.f, w.Job(n), name, sc.call))
	}
	return t
}

// jobOutput resolves an output of a job: its `outputs:` value evaluated
// after its steps, or the `workflow_call` output of the local reusable
// workflow it calls.
func (e *engine) jobOutput(f *workflow.File, j *workflow.Job, name string, call *callSite) taint {
	if j == nil {
		return taint{}
	}
	var t taint
	if j.Uses != nil {
		callee := e.localFile(j.Uses.Value)
		if callee == nil || callee.Workflow == nil {
			return t
		}
		c := &callSite{f: f, job: j, step: -1, with: j.With, at: j.Uses}
		for k := range callee.Workflow.CallOutputs {
			o := &callee.Workflow.CallOutputs[k]
			if o.Value != nil && (name == "*" || strings.EqualFold(o.Name, name)) {
				t = t.worse(e.text(o.Value, scope{f: callee, step: -1, envLevel: 2, call: c}).through(loc(callee, o.Value), "workflow output "+o.Name))
			}
		}
		return t
	}
	js := scope{f: f, job: j, step: len(j.Steps), envLevel: 1, call: call}
	for k := range j.Outputs {
		o := &j.Outputs[k]
		if o.Value != nil && (name == "*" || strings.EqualFold(o.Name, name)) {
			t = t.worse(e.text(o.Value, js).through(loc(f, o.Value), "job output "+o.Name))
		}
	}
	return t
}

var (
	setOutputCall = regexp.MustCompile(`core\.setOutput\(\s*['"]([A-Za-z0-9_-]+)['"]\s*,([^\n]*)`)
	returnStmt    = regexp.MustCompile(`(?m)^\s*return\s+([^\n]*)`)
	payloadPath   = regexp.MustCompile(`context\.payload((?:\??\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+)`)
	arrayIndex    = regexp.MustCompile(`\[\d+\]`)
)

// scriptOutput returns the taint of a github-script output: the event
// fields (`context.payload.…`) that `core.setOutput('name', …)` or, for
// `result`, a `return` statement hands on.
func (e *engine) scriptOutput(script *workflow.Value, name string, f *workflow.File) taint {
	var texts []string
	for _, m := range setOutputCall.FindAllStringSubmatch(script.Value, -1) {
		if name == "*" || strings.EqualFold(m[1], name) {
			texts = append(texts, m[2])
		}
	}
	if name == "*" || name == "result" {
		for _, m := range returnStmt.FindAllStringSubmatch(script.Value, -1) {
			texts = append(texts, m[1])
		}
	}
	var t taint
	for _, text := range texts {
		for _, m := range payloadPath.FindAllStringSubmatch(text, -1) {
			p := "github.event" + strings.ToLower(arrayIndex.ReplaceAllString(strings.ReplaceAll(m[1], "?", ""), ".*"))
			// Only a field itself counts: scripts test whole objects
			// (`context.payload.pull_request ? 'pr' : 'push'`) far more
			// often than they print them.
			if src, sev := classifyGitHub(p, f.Workflow); src != "" && strings.Count(p, ".") >= strings.Count(src, ".") {
				t = t.worse(taint{set: true, sev: sev, conf: ConfidenceMedium, origin: src}.through(loc(f, script), "set by the script"))
			}
		}
	}
	return t
}
