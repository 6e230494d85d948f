package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

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
				call := e.site(sc.f, sc.job, i, s.With, s.Uses)
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
		c := e.site(f, j, -1, j.With, j.Uses)
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
