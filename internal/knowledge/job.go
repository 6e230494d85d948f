package knowledge

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/workflow"
)

// Need is what a job needs from its GITHUB_TOKEN.
type Need struct {
	// Scopes maps a scope to read or write.
	Scopes map[string]string
	// Unknown lists why the need cannot be known, one entry per step
	// ("step label: reason"); empty when the need is fully known.
	Unknown []string
	// Sources maps a scope to the steps or actions that need it.
	Sources map[string]string
}

// Known reports whether every step's need is known.
func (n Need) Known() bool { return len(n.Unknown) == 0 }

// Add records that source needs scope at level.
func (n *Need) Add(scope, level, source string) {
	if Rank(level) == 0 {
		return
	}
	if n.Scopes == nil {
		n.Scopes, n.Sources = map[string]string{}, map[string]string{}
	}
	switch r, cur := Rank(level), Rank(n.Scopes[scope]); {
	case r > cur:
		n.Scopes[scope] = level
		n.Sources[scope] = source
	case r == cur && !containsItem(n.Sources[scope], source):
		n.Sources[scope] += ", " + source
	}
}

// Merge adds another need, such as a called workflow's.
func (n *Need) Merge(o Need) {
	for _, s := range sortedKeys(o.Scopes) {
		n.Add(s, o.Scopes[s], o.Sources[s])
	}
	n.Unknown = append(n.Unknown, o.Unknown...)
}

func (n *Need) unknown(label, why string) {
	n.Unknown = append(n.Unknown, label+": "+why)
}

func containsItem(list, item string) bool {
	for _, s := range strings.Split(list, ", ") {
		if s == item {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Files reads repository files; *repo.Snapshot is one.
type Files interface {
	ReadFile(name string) ([]byte, error)
}

// maxDepth bounds nested local actions and reusable workflows.
const maxDepth = 4

// JobNeeds is JobNeedsIn without access to the repository: local actions
// and local reusable workflows are unknown.
func JobNeeds(w *workflow.Workflow, j *workflow.Job) Need { return JobNeedsIn(nil, w, j) }

// JobNeedsIn returns the union of what a job's steps, container and
// services need; for a job that calls a reusable workflow, what the called
// workflow needs (the caller must grant the union). files, when not nil,
// is read for local actions and local reusable workflows.
func JobNeedsIn(files Files, w *workflow.Workflow, j *workflow.Job) Need {
	return jobNeeds(files, w, j, 0)
}

func jobNeeds(files Files, w *workflow.Workflow, j *workflow.Job, depth int) Need {
	var n Need
	if j.Uses != nil {
		n.Merge(calledNeeds(files, j.Uses.Value, depth))
		return n
	}
	images := append([]*workflow.Image{j.Container}, j.Services...)
	for _, img := range images {
		if img != nil && strings.HasPrefix(strings.ToLower(img.Value.Value), "ghcr.io/") {
			n.Add("packages", Read, img.Where+" "+img.Value.Value)
		}
	}
	for _, s := range j.Steps {
		n.Merge(stepNeeds(files, w, j, s, depth))
	}
	return n
}

// stepNeeds is what one step needs; j and w give the inherited env.
func stepNeeds(files Files, w *workflow.Workflow, j *workflow.Job, s *workflow.Step, depth int) Need {
	var n Need
	label := "step " + quote(s.Label())
	if s.Run != nil {
		tok, explicit := tokenOf(w, j, s)
		r := runNeeds(s.Run.Value, tok, explicit)
		for _, sc := range sortedKeys(r.scopes) {
			n.Add(sc, r.scopes[sc], label+" ("+r.why[sc]+")")
		}
		if r.unknown != "" {
			n.unknown(label, r.unknown)
		}
		return n
	}
	if s.Uses == nil {
		return n
	}
	uses := s.Uses.Value
	switch {
	case strings.Contains(uses, "${{"):
		n.unknown(label, "the action is chosen by an expression")
	case strings.HasPrefix(uses, "docker://"):
		if passesToken(s) {
			n.unknown(label, "the GITHUB_TOKEN is given to a container")
		}
	case strings.HasPrefix(uses, "./"):
		n.Merge(localActionNeeds(files, w, j, s, label, depth))
	default:
		if s.Name == nil && s.ID == nil {
			label = "step " + name(uses) // the label would repeat the action
		}
		e, ok := Lookup(uses)
		if !ok || e.Reusable {
			n.unknown(label, "the action is not in the knowledge base")
			return n
		}
		in := func(k string) (string, bool) {
			v := s.WithValue(k)
			if v == nil {
				return "", false
			}
			return v.Value, true
		}
		scopes, why := e.Needs(in)
		for _, sc := range sortedKeys(scopes) {
			n.Add(sc, scopes[sc], name(uses))
		}
		if why != "" {
			n.unknown(label, why)
		}
	}
	return n
}

func name(uses string) string {
	n, _, _ := strings.Cut(uses, "@")
	return n
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// tokenOf finds how the token reaches a run step: the nearest
// GH_TOKEN/GITHUB_TOKEN in step, job and workflow env. explicit is set when
// the step itself is handed the GITHUB_TOKEN.
func tokenOf(w *workflow.Workflow, j *workflow.Job, s *workflow.Step) (token, bool) {
	explicit := IsDefaultToken(s.Run.Value)
	for level, env := range [][]workflow.KV{s.Env, j.Env, w.Env} {
		for _, kv := range env {
			for _, name := range tokenEnvNames {
				if kv.Key.Value != name {
					continue
				}
				v := kv.Value.Value
				switch {
				case IsDefaultToken(v):
					return tokenDefault, explicit || level == 0
				case otherToken(v) || !hasExpr(v):
					return tokenOther, explicit
				default:
					return tokenDefault, explicit || level == 0 // unclear: count it as the GITHUB_TOKEN
				}
			}
		}
	}
	return tokenUnset, explicit
}

// passesToken reports whether a step hands the GITHUB_TOKEN to its action.
func passesToken(s *workflow.Step) bool {
	for _, kvs := range [][]workflow.KV{s.With, s.Env} {
		for _, kv := range kvs {
			if IsDefaultToken(kv.Value.Value) {
				return true
			}
		}
	}
	return false
}

// localActionNeeds reads a `./path` action: a composite action needs what
// its steps need; a JavaScript or Docker action only gets the token when it
// is handed it (an input, an input default or env).
func localActionNeeds(files Files, w *workflow.Workflow, j *workflow.Job, s *workflow.Step, label string, depth int) Need {
	var n Need
	if files == nil || depth >= maxDepth {
		n.unknown(label, "local action "+s.Uses.Value+" was not read")
		return n
	}
	dir := path.Clean(strings.TrimPrefix(s.Uses.Value, "./"))
	var a *workflow.File
	for _, base := range []string{"action.yml", "action.yaml"} {
		p := path.Join(dir, base)
		src, err := files.ReadFile(p)
		if err != nil {
			continue
		}
		if a, err = workflow.ParseAction(p, src); err != nil {
			n.unknown(label, "local action "+p+" does not parse")
			return n
		}
		break
	}
	if a == nil {
		n.unknown(label, "local action "+s.Uses.Value+" has no action.yml")
		return n
	}
	if a.Action.Using != nil && a.Action.Using.Value == "composite" {
		for _, cs := range a.Action.Steps {
			n.Merge(stepNeeds(files, w, j, cs, depth+1))
		}
		return n
	}
	if passesToken(s) || defaultsToToken(a.Action.Root) {
		n.unknown(label, "local action "+s.Uses.Value+" is given the GITHUB_TOKEN")
	}
	return n
}

// defaultsToToken reports whether an input of an action defaults to the
// GITHUB_TOKEN.
func defaultsToToken(root *yaml.Node) bool {
	inputs := child(root, "inputs")
	if inputs == nil {
		return false
	}
	for i := 1; i < len(inputs.Content); i += 2 {
		if d := child(inputs.Content[i], "default"); d != nil && IsDefaultToken(d.Value) {
			return true
		}
	}
	return false
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// calledNeeds is what a called reusable workflow needs from its caller.
func calledNeeds(files Files, uses string, depth int) Need {
	var n Need
	label := "workflow " + name(uses)
	if !strings.HasPrefix(uses, "./") {
		e, ok := Lookup(uses)
		if !ok {
			n.unknown(label, "the called workflow is not in the knowledge base")
			return n
		}
		scopes, why := e.Needs(func(string) (string, bool) { return "", false })
		// owner/repo file.yml: shorter than the whole path, for comments.
		source := name(uses)
		if parts := strings.SplitN(source, "/", 3); len(parts) == 3 {
			source = parts[0] + "/" + parts[1] + " " + path.Base(parts[2])
		}
		for _, sc := range sortedKeys(scopes) {
			n.Add(sc, scopes[sc], source)
		}
		if why != "" {
			n.unknown(label, why)
		}
		return n
	}
	if files == nil || depth >= maxDepth {
		n.unknown(label, "the called workflow was not read")
		return n
	}
	p := path.Clean(strings.TrimPrefix(name(uses), "./"))
	src, err := files.ReadFile(p)
	if err != nil {
		n.unknown(label, "the called workflow cannot be read")
		return n
	}
	f, err := workflow.ParseWorkflow(p, src)
	if err != nil {
		n.unknown(label, "the called workflow does not parse")
		return n
	}
	cw := f.Workflow
	for _, cj := range cw.Jobs {
		switch {
		case cj.Permissions != nil:
			// A called job that asks for more than its caller grants fails
			// at start-up: what it declares is what it needs.
			n.Merge(declared(cj.Permissions, p+" job "+cj.ID))
		case cw.Permissions != nil:
			n.Merge(declared(cw.Permissions, p))
		default:
			n.Merge(jobNeeds(files, cw, cj, depth+1))
		}
	}
	return n
}

// declared turns a permissions block into a need.
func declared(p *workflow.Permissions, source string) Need {
	var n Need
	switch p.All {
	case "":
		for _, s := range p.Scopes {
			n.Add(s.Name, s.Level, source)
		}
	case "read-all":
		for _, s := range Scopes {
			if s != "id-token" {
				n.Add(s, Read, source)
			}
		}
	case "write-all":
		for _, s := range Scopes {
			n.Add(s, MaxLevel(s), source)
		}
	default:
		n.unknown(source, fmt.Sprintf("permissions %q", p.All))
	}
	return n
}
