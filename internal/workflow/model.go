// Package workflow is a position-aware model of GitHub Actions workflows,
// action metadata files and Dockerfiles. It keeps the exact byte span of
// every value the rules and the editor care about, resolves YAML anchors
// and aliases without expanding them, and refuses hostile input with a
// bounded amount of work.
package workflow

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind is the kind of file.
type Kind int

// Kinds of file the model understands.
const (
	KindWorkflow Kind = iota + 1
	KindAction
	KindDockerfile
)

func (k Kind) String() string {
	switch k {
	case KindWorkflow:
		return "workflow"
	case KindAction:
		return "action"
	case KindDockerfile:
		return "Dockerfile"
	}
	return "unknown"
}

// Value is a scalar with its place in the source.
type Value struct {
	// Value is the decoded scalar.
	Value string
	// Line and Column (1-based, column in bytes) of the first character of
	// the content, after any anchor, tag or opening quote.
	Line, Column int
	// Start and End delimit the whole token in the source, quotes included;
	// End is -1 when the token spans lines and cannot be edited in place.
	Start, End int
	// ContentStart and ContentEnd delimit the content inside the quotes
	// (equal to Start/End for plain scalars); ContentEnd is -1 when the
	// source text is not the value verbatim (escapes, folding).
	ContentStart, ContentEnd int
	Style                    yaml.Style
	Node                     *yaml.Node
}

// String returns the decoded value; it is safe on nil.
func (v *Value) String() string {
	if v == nil {
		return ""
	}
	return v.Value
}

// Editable reports whether the content can be replaced by splicing bytes.
func (v *Value) Editable() bool { return v != nil && v.ContentEnd >= 0 && v.End >= 0 }

// KV is one key/value pair of a mapping whose value is a scalar.
type KV struct {
	Key   Value
	Value Value
}

// Trigger is an event in `on:`.
type Trigger struct {
	Name string
	At   Value // the event name in the source
	// Types lists `types:` filters when present.
	Types []string
}

// Permissions is a `permissions:` block.
type Permissions struct {
	Key  Value      // the `permissions` key
	Node *yaml.Node // the value node
	// All is "read-all", "write-all" (or another scalar) for the shorthand,
	// "" for a mapping.
	All    string
	AllAt  *Value
	Scopes []Scope
}

// Scope is one `scope: level` entry.
type Scope struct {
	Name  string
	Level string // read, write or none
	Key   Value
	Value Value
}

// Level returns the level of a scope, or "" when it is not listed.
func (p *Permissions) Level(scope string) string {
	for _, s := range p.Scopes {
		if s.Name == scope {
			return s.Level
		}
	}
	return ""
}

// Image is a container image reference in a workflow or action.
type Image struct {
	Value
	// Where says where it was found: "container", "services.<name>",
	// "uses" (docker://), "runs.image".
	Where string
}

// Input is a declared input of a workflow (`on.workflow_call.inputs`,
// `on.workflow_dispatch.inputs`) or of an action (`inputs`).
type Input struct {
	Name string
	Key  Value
	// Type is string, boolean, number, choice or environment for workflow
	// inputs (string when not given), "" for action inputs.
	Type    string
	Default *Value
	// Event is workflow_call or workflow_dispatch; "" for actions.
	Event string
}

// Output is a declared output of a job, a composite action or a reusable
// workflow, with the expression that gives its value.
type Output struct {
	Name  string
	Key   Value
	Value *Value
}

// Step is one step of a job or composite action.
type Step struct {
	Index                             int
	Node                              *yaml.Node
	ID, Name, If, Uses, Run, Shell    *Value
	With                              []KV
	Env                               []KV
	WorkingDirectory, ContinueOnError *Value
	TimeoutMinutes                    *Value
	WithNodes                         map[string]*yaml.Node
}

// With returns the value of the `with:` input name, or nil.
func (s *Step) WithValue(name string) *Value {
	for i := range s.With {
		if strings.EqualFold(s.With[i].Key.Value, name) {
			return &s.With[i].Value
		}
	}
	return nil
}

// Label returns a short human label for the step: its name, id, uses or
// first line of run.
func (s *Step) Label() string {
	switch {
	case s.Name != nil:
		return s.Name.Value
	case s.ID != nil:
		return s.ID.Value
	case s.Uses != nil:
		return s.Uses.Value
	case s.Run != nil:
		l, _, _ := strings.Cut(strings.TrimSpace(s.Run.Value), "\n")
		return l
	}
	return ""
}

// Job is one entry of `jobs:`.
type Job struct {
	ID          string
	Key         Value
	Node        *yaml.Node
	Name        *Value
	If          *Value
	RunsOn      *Value
	Permissions *Permissions
	// Uses is set for a job that calls a reusable workflow.
	Uses *Value
	With []KV
	// SecretsInherit is set when `secrets: inherit`.
	SecretsInherit *Value
	Container      *Image
	Services       []*Image
	Steps          []*Step
	Env            []KV
	Needs          []string
	// NeedsAt are the scalar entries of `needs:`, where they are.
	NeedsAt []*Value
	// Environment is the deployment environment name, when given.
	Environment *Value
	// Matrix is `strategy.matrix`, when given.
	Matrix *Matrix
	// Outputs are the job's `outputs:`.
	Outputs []Output
	// DefaultShell is `defaults.run.shell`.
	DefaultShell *Value
}

// Input returns the declared input name (matched without case), or nil.
func (w *Workflow) Input(name string) *Input {
	for i := range w.Inputs {
		if strings.EqualFold(w.Inputs[i].Name, name) {
			return &w.Inputs[i]
		}
	}
	return nil
}

// Job returns the job with the given id (matched without case), or nil.
func (w *Workflow) Job(id string) *Job {
	for _, j := range w.Jobs {
		if strings.EqualFold(j.ID, id) {
			return j
		}
	}
	return nil
}

// Workflow is a `.github/workflows/*.yml` file.
type Workflow struct {
	Root        *yaml.Node
	Name        *Value
	OnKey       Value
	On          []Trigger
	Permissions *Permissions
	Env         []KV
	Jobs        []*Job
	JobsKey     *Value
	// Inputs are the inputs of workflow_call and workflow_dispatch.
	Inputs []Input
	// CallOutputs are `on.workflow_call.outputs`.
	CallOutputs []Output
	// DefaultShell is `defaults.run.shell`.
	DefaultShell *Value
}

// Has reports whether the workflow runs on event.
func (w *Workflow) Has(event string) bool {
	for _, t := range w.On {
		if t.Name == event {
			return true
		}
	}
	return false
}

// Action is an `action.yml` metadata file.
type Action struct {
	Root  *yaml.Node
	Name  *Value
	Using *Value
	// Image is `runs.image` of a Docker action.
	Image *Image
	// Steps are the steps of a composite action.
	Steps  []*Step
	Inputs []string
	// InputDefs are the declared inputs with their defaults.
	InputDefs []Input
	// Outputs are the declared outputs and their values.
	Outputs []Output
}

// From is one `FROM` instruction of a Dockerfile.
type From struct {
	Image Value
	Stage string // the name after AS, lower-cased
	// Skip says why the image is not a pinnable reference: "scratch",
	// "stage", "arg"; empty when it is.
	Skip string
}

// Dockerfile is a parsed Dockerfile.
type Dockerfile struct {
	Froms []From
}

// File is one parsed file.
type File struct {
	Path       string
	Kind       Kind
	Source     *Source
	Workflow   *Workflow
	Action     *Action
	Dockerfile *Dockerfile
	// Images lists every container image reference of a workflow or action.
	Images []*Image
	// Expanded is the number of YAML nodes the document has once its
	// aliases are expanded (capped just above ExpandLimit): what a tool
	// that copies aliased nodes walks.
	Expanded int
}

// ExpandLimit is the expanded size above which a document is not handed
// to tools that expand aliases.
const ExpandLimit = 200000

// Steps returns every step in the file with the job it belongs to (nil for
// composite actions).
func (f *File) Steps() []JobStep {
	var out []JobStep
	if f.Workflow != nil {
		for _, j := range f.Workflow.Jobs {
			for _, s := range j.Steps {
				out = append(out, JobStep{Job: j, Step: s})
			}
		}
	}
	if f.Action != nil {
		for _, s := range f.Action.Steps {
			out = append(out, JobStep{Step: s})
		}
	}
	return out
}

// JobStep is a step and its job.
type JobStep struct {
	Job  *Job
	Step *Step
}

// Uses lists every `uses:` value of the file (steps and job-level reusable
// workflow calls), once per source position even when aliases repeat it.
func (f *File) Uses() []*Value {
	var out []*Value
	seen := map[int]bool{}
	add := func(v *Value) {
		if v != nil && !seen[v.Start] {
			seen[v.Start] = true
			out = append(out, v)
		}
	}
	if f.Workflow != nil {
		for _, j := range f.Workflow.Jobs {
			add(j.Uses)
			for _, s := range j.Steps {
				add(s.Uses)
			}
		}
	}
	if f.Action != nil {
		for _, s := range f.Action.Steps {
			add(s.Uses)
		}
	}
	return out
}
