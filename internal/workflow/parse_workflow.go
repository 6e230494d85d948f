package workflow

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// mayHaveAnchor reports whether src may hold a YAML anchor (`&name` where
// a node starts); without one there are no aliases and the expanded size
// is the size.
func mayHaveAnchor(src []byte) bool {
	for i := bytes.IndexByte(src, '&'); i >= 0 && i+1 < len(src); {
		if (i == 0 || strings.IndexByte(" \t\r\n[{,", src[i-1]) >= 0) && strings.IndexByte(" \t\r\n&", src[i+1]) < 0 {
			return true
		}
		j := bytes.IndexByte(src[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// ParseWorkflow models a workflow file.
func ParseWorkflow(path string, src []byte) (*File, error) {
	root, err := decode(path, src)
	if err != nil {
		return nil, err
	}
	p := newParser(path, src, KindWorkflow)
	w := &Workflow{Root: root}
	p.file.Workflow = w
	if mayHaveAnchor(src) {
		p.file.Expanded = expandedSize(root)
	}
	err = p.run(func() error {
		var sawOn, sawJobs bool
		for _, pr := range p.pairs(root) {
			switch pr.key.Value {
			case "name":
				w.Name = p.value(pr.val)
			case "on", "true": // YAML 1.1 readers see `on` as true; yaml.v3 keeps "on"
				sawOn = true
				w.OnKey = *p.value(pr.key)
				w.On = p.triggers(pr.val)
			case "permissions":
				w.Permissions = p.permissions(pr.key, pr.val)
			case "env":
				w.Env = p.kvs(pr.val)
			case "defaults":
				w.DefaultShell = p.defaultShell(pr.val)
			case "jobs":
				sawJobs = true
				w.JobsKey = p.value(pr.key)
				if pr.val.Kind != yaml.MappingNode {
					return &ParseError{Path: path, Line: pr.key.Line, Column: pr.key.Column, Msg: "`jobs` is not a mapping"}
				}
				for _, jp := range p.pairs(pr.val) {
					w.Jobs = append(w.Jobs, p.job(jp.key, jp.val))
				}
			}
		}
		if !sawOn {
			return &ParseError{Path: path, Msg: "no `on:` section: not a workflow GitHub can run"}
		}
		if !sawJobs {
			return &ParseError{Path: path, Msg: "no `jobs:` section"}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p.file, nil
}

func (p *parser) triggers(n *yaml.Node) []Trigger {
	var out []Trigger
	switch n.Kind {
	case yaml.ScalarNode:
		v := p.value(n)
		out = append(out, Trigger{Name: v.Value, At: *v})
	case yaml.SequenceNode:
		for _, c := range p.seq(n) {
			if v := p.value(c); v != nil {
				out = append(out, Trigger{Name: v.Value, At: *v})
			}
		}
	case yaml.MappingNode:
		for _, pr := range p.pairs(n) {
			v := p.value(pr.key)
			if v == nil {
				continue
			}
			t := Trigger{Name: v.Value, At: *v}
			for _, tp := range p.pairs(pr.val) {
				switch {
				case tp.key.Value == "inputs" && (t.Name == "workflow_call" || t.Name == "workflow_dispatch"):
					p.file.Workflow.Inputs = append(p.file.Workflow.Inputs, p.inputs(tp.val, t.Name)...)
				case tp.key.Value == "outputs" && t.Name == "workflow_call":
					p.file.Workflow.CallOutputs = p.outputs(tp.val)
				}
				if tp.key.Value == "types" {
					for _, c := range p.seq(tp.val) {
						t.Types = append(t.Types, c.Value)
					}
					if tp.val.Kind == yaml.ScalarNode {
						t.Types = append(t.Types, tp.val.Value)
					}
				}
			}
			out = append(out, t)
		}
	}
	return out
}

func (p *parser) job(key, n *yaml.Node) *Job {
	k := p.value(key)
	if k == nil {
		panic(&ParseError{Path: p.path, Line: key.Line, Column: key.Column, Msg: "job name is not a scalar"})
	}
	j := &Job{ID: k.Value, Key: *k, Node: n}
	if n.Kind != yaml.MappingNode {
		panic(&ParseError{Path: p.path, Line: key.Line, Column: key.Column, Msg: fmt.Sprintf("job %q is not a mapping", k.Value)})
	}
	for _, pr := range p.pairs(n) {
		switch pr.key.Value {
		case "name":
			j.Name = p.value(pr.val)
		case "if":
			j.If = p.value(pr.val)
		case "runs-on":
			j.RunsOn = p.value(pr.val)
		case "permissions":
			j.Permissions = p.permissions(pr.key, pr.val)
		case "uses":
			j.Uses = p.value(pr.val)
		case "with":
			j.With = p.kvs(pr.val)
		case "secrets":
			if v := p.value(pr.val); v != nil && v.Value == "inherit" {
				j.SecretsInherit = v
			}
		case "env":
			j.Env = p.kvs(pr.val)
		case "needs":
			if v := p.value(pr.val); v != nil {
				j.Needs = []string{v.Value}
				j.NeedsAt = []*Value{v}
			}
			for _, c := range p.seq(pr.val) {
				j.Needs = append(j.Needs, c.Value)
				if v := p.value(c); v != nil {
					j.NeedsAt = append(j.NeedsAt, v)
				}
			}
		case "environment":
			if v := p.value(pr.val); v != nil {
				j.Environment = v
			}
			for _, ep := range p.pairs(pr.val) {
				if ep.key.Value == "name" {
					j.Environment = p.value(ep.val)
				}
			}
		case "container":
			j.Container = p.containerImage(pr.val, "container")
		case "services":
			for _, sp := range p.pairs(pr.val) {
				if img := p.containerImage(sp.val, "services."+sp.key.Value); img != nil {
					j.Services = append(j.Services, img)
				}
			}
		case "steps":
			j.Steps = p.stepList(pr.val)
		case "strategy":
			for _, sp := range p.pairs(pr.val) {
				if sp.key.Value == "matrix" {
					j.Matrix = p.matrix(sp.key, sp.val)
				}
			}
		case "outputs":
			j.Outputs = p.outputs(pr.val)
		case "defaults":
			j.DefaultShell = p.defaultShell(pr.val)
		}
	}
	return j
}

// defaultShell reads `defaults: {run: {shell: …}}`.
func (p *parser) defaultShell(n *yaml.Node) *Value {
	for _, dp := range p.pairs(n) {
		if dp.key.Value != "run" {
			continue
		}
		for _, rp := range p.pairs(dp.val) {
			if rp.key.Value == "shell" {
				return p.value(rp.val)
			}
		}
	}
	return nil
}

// inputs reads a mapping of input declarations.
func (p *parser) inputs(n *yaml.Node, event string) []Input {
	var out []Input
	for _, ip := range p.pairs(n) {
		k := p.value(ip.key)
		if k == nil {
			continue
		}
		in := Input{Name: k.Value, Key: *k, Event: event}
		if event != "" {
			in.Type = "string"
		}
		for _, fp := range p.pairs(ip.val) {
			switch fp.key.Value {
			case "type":
				if v := p.value(fp.val); v != nil && event != "" {
					in.Type = strings.ToLower(v.Value)
				}
			case "default":
				in.Default = p.value(fp.val)
			}
		}
		out = append(out, in)
	}
	return out
}

// outputs reads `outputs:` of a job (name: value) or of an action or
// reusable workflow (name: {value: …}).
func (p *parser) outputs(n *yaml.Node) []Output {
	var out []Output
	for _, op := range p.pairs(n) {
		k := p.value(op.key)
		if k == nil {
			continue
		}
		o := Output{Name: k.Value, Key: *k, Value: p.value(op.val)}
		for _, fp := range p.pairs(op.val) {
			if fp.key.Value == "value" {
				o.Value = p.value(fp.val)
			}
		}
		out = append(out, o)
	}
	return out
}

// containerImage reads `container: image` or `container: {image: …}`.
func (p *parser) containerImage(n *yaml.Node, where string) *Image {
	if n.Kind == yaml.ScalarNode {
		return p.image(n, where)
	}
	for _, pr := range p.pairs(n) {
		if pr.key.Value == "image" {
			return p.image(pr.val, where)
		}
	}
	return nil
}

// stepList models a `steps:` sequence once per node, so an aliased list of
// steps costs nothing the second time.
func (p *parser) stepList(n *yaml.Node) []*Step {
	n = p.resolve(n)
	if s, ok := p.stepLists[n]; ok {
		return s
	}
	var out []*Step
	for i, c := range p.seq(n) {
		if c.Kind != yaml.MappingNode {
			continue
		}
		s, ok := p.steps[c]
		if !ok {
			s = p.step(c)
			p.steps[c] = s
		}
		if s.Index == 0 {
			s.Index = i + 1
		}
		out = append(out, s)
	}
	p.stepLists[n] = out
	return out
}

func (p *parser) step(n *yaml.Node) *Step {
	s := &Step{Node: n}
	for _, pr := range p.pairs(n) {
		switch pr.key.Value {
		case "id":
			s.ID = p.value(pr.val)
		case "name":
			s.Name = p.value(pr.val)
		case "if":
			s.If = p.value(pr.val)
		case "uses":
			s.Uses = p.value(pr.val)
			if s.Uses != nil && strings.HasPrefix(s.Uses.Value, "docker://") {
				p.image(pr.val, "uses")
			}
		case "run":
			s.Run = p.value(pr.val)
		case "shell":
			s.Shell = p.value(pr.val)
		case "with":
			s.With = p.kvs(pr.val)
		case "env":
			s.Env = p.kvs(pr.val)
		case "working-directory":
			s.WorkingDirectory = p.value(pr.val)
		case "continue-on-error":
			s.ContinueOnError = p.value(pr.val)
		case "timeout-minutes":
			s.TimeoutMinutes = p.value(pr.val)
		}
	}
	return s
}

// ParseAction models an action metadata file.
func ParseAction(path string, src []byte) (*File, error) {
	root, err := decode(path, src)
	if err != nil {
		return nil, err
	}
	p := newParser(path, src, KindAction)
	a := &Action{Root: root}
	p.file.Action = a
	err = p.run(func() error {
		var sawRuns bool
		for _, pr := range p.pairs(root) {
			switch pr.key.Value {
			case "name":
				a.Name = p.value(pr.val)
			case "inputs":
				for _, ip := range p.pairs(pr.val) {
					a.Inputs = append(a.Inputs, ip.key.Value)
				}
				a.InputDefs = p.inputs(pr.val, "")
			case "outputs":
				a.Outputs = p.outputs(pr.val)
			case "runs":
				sawRuns = true
				for _, rp := range p.pairs(pr.val) {
					switch rp.key.Value {
					case "using":
						a.Using = p.value(rp.val)
					case "image":
						if v := p.value(rp.val); v != nil && strings.HasPrefix(v.Value, "docker://") {
							a.Image = p.image(rp.val, "runs.image")
						}
					case "steps":
						a.Steps = p.stepList(rp.val)
					}
				}
			}
		}
		if !sawRuns {
			return &ParseError{Path: path, Msg: "no `runs:` section: not an action metadata file"}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p.file, nil
}
