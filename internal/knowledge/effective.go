package knowledge

import (
	"sync"

	"github.com/hardener/hardener/internal/workflow"
)

// Origin says where a job's token permissions come from.
type Origin int

// Origins of a job's permissions.
const (
	// OriginJob is the job's own block.
	OriginJob Origin = iota + 1
	// OriginWorkflow is the workflow's block, inherited by a job without one.
	OriginWorkflow
	// OriginDefault is the repository's default: no block anywhere.
	OriginDefault
	// OriginCaller is a called workflow's job without a block: it gets
	// what the calling job grants.
	OriginCaller
)

// Call is a job that calls a reusable workflow of the same repository.
type Call struct {
	File *workflow.File
	Job  *workflow.Job
}

// Effective is what a job's token gets, as GitHub applies it: a job's
// block replaces the workflow's; without either, the repository default;
// in a called workflow, the calling job's grant is the ceiling of
// whatever the called job asks for.
type Effective struct {
	Grant  Grant
	Origin Origin
	// Block is the block that decides (the job's or the workflow's); nil
	// for the default or a caller's grant.
	Block *workflow.Permissions
	// Callers are the jobs of this repository that call the workflow,
	// when it can only run by being called; Grant is then the widest any
	// of them passes on. External callers are not seen.
	Callers []Call
	// Unreadable is set when the deciding block is an expression or empty
	// value: Grant is then the default, and nothing should be concluded.
	Unreadable bool
}

// Repo is the permissions view of a repository's workflows: what each job
// needs, which workflows call which, and what each job's token gets. It
// reads each local action and called workflow once.
type Repo struct {
	mu      sync.Mutex // the memos fill in as rules and fixes ask
	files   Files
	mode    string
	callers map[string][]Call
	needs   map[*workflow.Job]Need
	parsed  map[string]*workflow.File
	eff     map[*workflow.Job]*Effective
}

// NewRepo indexes the workflows of a repository. mode is the repository's
// default token permissions ("read" or "write"); files reads local actions
// and called workflows (nil: they are unknown).
func NewRepo(files Files, workflows []*workflow.File, mode string) *Repo {
	r := &Repo{files: files, mode: mode, callers: map[string][]Call{}, needs: map[*workflow.Job]Need{},
		parsed: map[string]*workflow.File{}, eff: map[*workflow.Job]*Effective{}}
	for _, f := range workflows {
		if f.Workflow == nil {
			continue
		}
		r.parsed[f.Path] = f
		for _, j := range f.Workflow.Jobs {
			if j.Uses != nil && IsLocalWorkflow(j.Uses.Value) {
				p := LocalWorkflowPath(j.Uses.Value)
				r.callers[p] = append(r.callers[p], Call{File: f, Job: j})
			}
		}
	}
	return r
}

// Mode is the repository default the view assumes.
func (r *Repo) Mode() string { return r.mode }

// Needs is what a job needs (JobNeeds), read once.
func (r *Repo) Needs(f *workflow.File, j *workflow.Job) Need {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.needs[j]; ok {
		return n
	}
	a := &analysis{files: r.files, w: f.Workflow, j: j, parsed: r.parsed}
	n := a.job(0)
	r.needs[j] = n
	return n
}

// Callers lists the jobs of the repository that call the workflow at path.
func (r *Repo) Callers(path string) []Call { return r.callers[path] }

// CalledOnly reports whether a workflow runs only when called
// (`on: workflow_call` is its one trigger).
func CalledOnly(w *workflow.Workflow) bool {
	return len(w.On) == 1 && w.On[0].Name == "workflow_call"
}

// Effective is what a job's token gets.
func (r *Repo) Effective(f *workflow.File, j *workflow.Job) Effective {
	r.mu.Lock()
	defer r.mu.Unlock()
	return *r.effective(f, j, 0)
}

func (r *Repo) effective(f *workflow.File, j *workflow.Job, depth int) *Effective {
	if e, ok := r.eff[j]; ok {
		if e == nil { // a call cycle: GitHub refuses it; assume the default
			return &Effective{Grant: Default(r.mode), Origin: OriginDefault}
		}
		return e
	}
	r.eff[j] = nil
	w := f.Workflow
	e := &Effective{}
	switch {
	case j.Permissions != nil:
		e.Origin, e.Block = OriginJob, j.Permissions
	case w.Permissions != nil:
		e.Origin, e.Block = OriginWorkflow, w.Permissions
	default:
		e.Origin = OriginDefault
	}
	if e.Block != nil {
		g, ok := GrantOf(e.Block)
		if !ok {
			g, e.Unreadable = Default(r.mode), true
		}
		e.Grant = g
	}
	if CalledOnly(w) {
		e.Callers = r.callers[f.Path]
		switch {
		case len(e.Callers) == 0 || depth >= maxDepth:
			// Called from elsewhere: whatever that caller grants, at most
			// what the block asks for.
			if e.Block == nil {
				e.Grant, e.Origin = Default(r.mode), OriginCaller
			}
		default:
			ceiling := Grant{}
			for _, c := range e.Callers {
				ceiling = Union(ceiling, r.effective(c.File, c.Job, depth+1).Grant)
			}
			if e.Block == nil {
				e.Grant, e.Origin = ceiling, OriginCaller
			} else {
				e.Grant = e.Grant.Min(ceiling)
			}
		}
	} else if e.Block == nil {
		e.Grant = Default(r.mode)
		if asks, _ := r.calledOIDC(j); asks {
			// GitHub lets a called job of the caller's own organisation ask
			// for id-token: write when the caller declares nothing.
			e.Grant["id-token"] = Write
		}
	}
	r.eff[j] = e
	return e
}

// CalledOIDC says how a job that calls a workflow of this repository
// passes the OIDC token on when it has no permissions block: asks is set
// when a called job's own block (or its workflow's) asks for id-token:
// write, which GitHub grants it although the caller's default does not
// include it; a block written for the caller must then grant id-token:
// write, or the run stops at start-up. mixed is set when another called
// job has no block and so gets whatever the caller grants: such a block
// would hand it the OIDC token too.
func (r *Repo) CalledOIDC(j *workflow.Job) (asks, mixed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calledOIDC(j)
}

func (r *Repo) calledOIDC(j *workflow.Job) (asks, mixed bool) {
	if j.Uses == nil || !IsLocalWorkflow(j.Uses.Value) {
		return false, false
	}
	f := r.called(LocalWorkflowPath(j.Uses.Value))
	if f == nil {
		return false, false
	}
	for _, cj := range f.Workflow.Jobs {
		p := cj.Permissions
		if p == nil {
			p = f.Workflow.Permissions
		}
		if p == nil {
			mixed = true
			continue
		}
		if g, ok := GrantOf(p); ok && g["id-token"] == Write {
			asks = true
		}
	}
	return asks, asks && mixed
}

// called is the parsed workflow at path, read once; nil when it cannot be
// read or parsed.
func (r *Repo) called(path string) *workflow.File {
	f, ok := r.parsed[path]
	if !ok && r.files != nil {
		if src, err := r.files.ReadFile(path); err == nil {
			f, _ = workflow.ParseWorkflow(path, src)
		}
		r.parsed[path] = f
	}
	if f == nil || f.Workflow == nil {
		return nil
	}
	return f
}

// CallerFloor is the least every caller in the repository grants a called
// workflow: a block the workflow writes for itself must stay within it, or
// GitHub refuses the run at start-up. ok is false when the workflow has no
// caller here.
func (r *Repo) CallerFloor(path string) (g Grant, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range r.callers[path] {
		cg := r.effective(c.File, c.Job, 1).Grant
		if i == 0 {
			g = cg.Clone()
		} else {
			g = g.Min(cg)
		}
	}
	return g, len(r.callers[path]) > 0
}
