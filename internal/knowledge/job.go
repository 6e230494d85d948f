package knowledge

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/workflow"
)

// Files reads repository files; *repo.Snapshot is one.
type Files interface {
	ReadFile(name string) ([]byte, error)
}

// maxDepth bounds nested local actions and reusable workflows.
const maxDepth = 4

// Reasons a write is kept although no step is known to need it.
const (
	keepOIDCRun    = "`run:` steps may request an OIDC token"
	keepOIDCAction = "an action not known to be OIDC-free may request an OIDC token"
)

// analysis follows one job's steps in order: checkout credentials persist
// from one step to the next.
type analysis struct {
	files  Files
	w      *workflow.Workflow
	j      *workflow.Job
	parsed map[string]*workflow.File // local actions and workflows read so far
	// persisted is set once a checkout left the GITHUB_TOKEN in git's
	// configuration, so that a later `git push` uses it.
	persisted bool
	// checkouts counts the checkouts seen.
	checkouts int
}

// frame is where a step is read: the workflow's job, or a local composite
// action with the inputs its caller gave it.
type frame struct {
	// env are the environment levels around the step's own, innermost
	// first (a composite action's caller steps, then job and workflow).
	env [][]workflow.KV
	// inputs are a composite action's inputs, values already resolved in
	// the caller's frame; nil in a workflow.
	inputs map[string]string
	depth  int
	// in names the local action the step belongs to, for labels.
	in string
}

func (a *analysis) job(depth int) Need {
	var n Need
	j := a.j
	if j.Uses != nil {
		n.Merge(calledNeeds(a.files, a.parsed, j.Uses.Value, depth))
		return n
	}
	images := append([]*workflow.Image{j.Container}, j.Services...)
	for _, img := range images {
		if img != nil && strings.HasPrefix(strings.ToLower(img.Value.Value), "ghcr.io/") {
			n.Add("packages", Read, img.Where+" "+img.Value.Value)
		}
	}
	top := &frame{env: [][]workflow.KV{j.Env, a.w.Env}, depth: depth}
	for _, s := range j.Steps {
		n.Merge(a.step(top, s))
	}
	return n
}

func (a *analysis) label(fr *frame, s *workflow.Step) string {
	l := "step " + quote(s.Label())
	if s.Name == nil && s.ID == nil && s.Uses != nil {
		l = "step " + name(s.Uses.Value) // the label would repeat the ref
	}
	if fr.in != "" {
		l += " of " + fr.in
	}
	return l
}

// step is what one step needs.
func (a *analysis) step(fr *frame, s *workflow.Step) Need {
	var n Need
	label := a.label(fr, s)
	if s.Run != nil {
		a.runStep(&n, fr, s, label)
		return n
	}
	if s.Uses == nil {
		// GitHub accepts no such step today: a newer syntax (steps run in
		// parallel, say) may hold steps Hardener does not see.
		n.unknown(label, "the step has neither `run:` nor `uses:`, so what it runs cannot be read")
		return n
	}
	uses := fr.resolve(s.Uses.Value)
	switch {
	case hasExpr(uses):
		n.unknown(label, "the action is chosen by an expression")
	case strings.HasPrefix(uses, "docker://"):
		n.keep("id-token", keepOIDCAction)
		n.basis("container step " + name(uses))
		if a.givesToken(fr, s) {
			n.unknown(label, "the GITHUB_TOKEN is given to a container")
		}
	case strings.HasPrefix(uses, "./") || strings.HasPrefix(uses, "$/"):
		n.Merge(a.localAction(fr, s, label))
	default:
		a.remoteAction(&n, fr, s, uses, label)
	}
	return n
}

// remoteAction reads an action from the knowledge base.
func (a *analysis) remoteAction(n *Need, fr *frame, s *workflow.Step, uses, label string) {
	in := func(k string) (string, bool) {
		v := s.WithValue(k)
		if v == nil {
			return "", false
		}
		return fr.resolve(v.Value), true
	}
	if strings.EqualFold(name(uses), "actions/github-script") {
		a.githubScript(n, in, label)
		return
	}
	e, ok := Lookup(uses)
	if !ok || e.Reusable {
		why := "the action is not in the knowledge base"
		if s.Name != nil || s.ID != nil {
			why = "`" + name(uses) + "` is not in the knowledge base" // the label does not name it
		}
		n.unknown(label, why)
		return
	}
	scopes, why := e.Needs(in)
	for _, sc := range sortedKeys(scopes) {
		n.Add(sc, scopes[sc], name(uses))
	}
	if why != "" {
		n.unknown(label, why)
	}
	if e.OIDC != "" {
		n.keep("id-token", name(uses)+": "+e.OIDC)
	}
	if strings.EqualFold(e.Uses, "actions/checkout") {
		a.checkout(fr, s)
	}
	n.basis(name(uses))
}

// checkout records whether a checkout persisted the GITHUB_TOKEN for git.
func (a *analysis) checkout(fr *frame, s *workflow.Step) {
	a.checkouts++
	if v := s.WithValue("persist-credentials"); v != nil && strings.EqualFold(strings.TrimSpace(fr.resolve(v.Value)), "false") {
		return
	}
	if v := s.WithValue("token"); v != nil && fr.classify(fr.resolve(v.Value)) == tokenOther {
		return // git pushes with that token, not the GITHUB_TOKEN
	}
	a.persisted = true
}

// runStep reads a `run:` script with the token it is given.
func (a *analysis) runStep(n *Need, fr *frame, s *workflow.Step, label string) {
	script := fr.resolve(s.Run.Value)
	tok, given := a.tokenOf(fr, s)
	if IsDefaultToken(script) {
		tok, given = tokenDefault, true // the script text holds the token itself
	}
	r := runNeeds(script, tok, given, a.persisted || a.checkouts == 0)
	if given && (strings.Contains(script, "setup-git") || IsDefaultToken(script) && strings.Contains(script, "git")) {
		// git is set up with the token for the steps that follow.
		a.persisted = true
	}
	for _, sc := range sortedKeys(r.scopes) {
		n.Add(sc, r.scopes[sc], label+" ("+r.why[sc]+")")
	}
	if r.unknown != "" {
		n.unknown(label, r.unknown)
	}
	if r.mayPush != "" && a.persisted {
		n.keep("contents", shortLabel(s)+" may push with the token checkout left")
	}
	n.keep("id-token", keepOIDCRun)
	if given {
		n.basis("`run:` steps given the GITHUB_TOKEN")
	} else {
		n.basis("`run:` steps without the GITHUB_TOKEN")
	}
}

// tokenOf finds how the token reaches a run step. tok is the nearest
// GH_TOKEN/GITHUB_TOKEN in the step's env, its callers', the job's and the
// workflow's (what gh uses); given is set when any variable there holds
// the GITHUB_TOKEN, whatever its name.
func (a *analysis) tokenOf(fr *frame, s *workflow.Step) (tok token, given bool) {
	found := false
	for _, env := range append([][]workflow.KV{s.Env}, fr.env...) {
		for _, kv := range env {
			v := fr.resolve(kv.Value.Value)
			if IsDefaultToken(v) {
				given = true
			}
			if found {
				continue
			}
			for _, name := range tokenEnvNames {
				if strings.EqualFold(kv.Key.Value, name) {
					tok, found = fr.classify(v), true
					break
				}
			}
		}
	}
	return tok, given || tok == tokenDefault
}

// givesToken reports whether a step hands the GITHUB_TOKEN to its action
// through an input or its env.
func (a *analysis) givesToken(fr *frame, s *workflow.Step) bool {
	for _, kvs := range [][]workflow.KV{s.With, s.Env} {
		for _, kv := range kvs {
			if IsDefaultToken(fr.resolve(kv.Value.Value)) {
				return true
			}
		}
	}
	return false
}

// localAction reads a `./path` action: a composite action needs what its
// steps need, with the inputs its caller gives it followed into them; a
// JavaScript or Docker action only gets the token when it is handed it (an
// input, an input default or env).
func (a *analysis) localAction(fr *frame, s *workflow.Step, label string) Need {
	var n Need
	ref := s.Uses.Value
	if a.files == nil || fr.depth >= maxDepth {
		n.unknown(label, "local action "+ref+" was not read")
		return n
	}
	dir := path.Clean(strings.TrimPrefix(strings.TrimPrefix(ref, "./"), "$/"))
	act, why := a.readAction(dir)
	if act == nil {
		n.unknown(label, "local action "+ref+" "+why)
		return n
	}
	inputs := map[string]string{}
	for name, def := range inputDefaults(act.Action.Root) {
		inputs[strings.ToLower(name)] = def
	}
	for _, kv := range s.With {
		inputs[strings.ToLower(kv.Key.Value)] = fr.resolve(kv.Value.Value)
	}
	if act.Action.Using == nil || act.Action.Using.Value != "composite" {
		n.keep("id-token", keepOIDCAction)
		n.basis("local action " + ref)
		for _, v := range inputs {
			if IsDefaultToken(v) {
				n.unknown(label, "local action "+ref+" is given the GITHUB_TOKEN and is not a composite action")
				return n
			}
		}
		if a.givesToken(fr, s) {
			n.unknown(label, "local action "+ref+" is given the GITHUB_TOKEN and is not a composite action")
		}
		return n
	}
	inner := &frame{env: append([][]workflow.KV{s.Env}, fr.env...), inputs: inputs, depth: fr.depth + 1, in: ref}
	for _, cs := range act.Action.Steps {
		n.Merge(a.step(inner, cs))
	}
	n.basis("local action " + ref + " (followed)")
	return n
}

// readAction parses dir/action.yml (or .yaml) once per analysis.
func (a *analysis) readAction(dir string) (*workflow.File, string) {
	for _, base := range []string{"action.yml", "action.yaml"} {
		p := path.Join(dir, base)
		if f, ok := a.parsed[p]; ok {
			if f == nil {
				return nil, "does not parse"
			}
			return f, ""
		}
		src, err := a.files.ReadFile(p)
		if err != nil {
			continue
		}
		f, err := workflow.ParseAction(p, src)
		if err != nil {
			a.parsed[p] = nil
			return nil, "does not parse"
		}
		a.parsed[p] = f
		return f, ""
	}
	return nil, "has no action.yml"
}

// inputDefaults reads the default of each input of an action.
func inputDefaults(root *yaml.Node) map[string]string {
	out := map[string]string{}
	inputs := child(root, "inputs")
	if inputs == nil || inputs.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(inputs.Content); i += 2 {
		if d := child(inputs.Content[i+1], "default"); d != nil && d.Kind == yaml.ScalarNode {
			out[inputs.Content[i].Value] = d.Value
		}
	}
	return out
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

var (
	exprRe       = regexp.MustCompile(`\$\{\{.*?\}\}`)
	wholeInputRe = regexp.MustCompile(`^\s*\$\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}\s*$`)
	inputRefRe   = regexp.MustCompile(`(?i)\binputs\.([A-Za-z_][A-Za-z0-9_-]*)`)
)

// resolve rewrites a value of a composite action's step in the caller's
// terms: `${{ inputs.x }}` becomes what the caller gave, and `inputs.x`
// inside a larger expression becomes github.token (or a secret) when the
// input carries the GITHUB_TOKEN (or another token).
func (fr *frame) resolve(v string) string {
	if fr.inputs == nil || !strings.Contains(v, "inputs.") {
		return v
	}
	if m := wholeInputRe.FindStringSubmatch(v); m != nil {
		return fr.inputs[strings.ToLower(m[1])]
	}
	return inputRefRe.ReplaceAllStringFunc(v, func(ref string) string {
		val, ok := fr.inputs[strings.ToLower(ref[len("inputs."):])]
		switch {
		case !ok:
			return ref
		case IsDefaultToken(val):
			return "github.token"
		case otherToken(val):
			return "secrets.INPUT"
		}
		return ref
	})
}

// classify says which token a value is when it is used as one.
func (fr *frame) classify(v string) token {
	switch {
	case IsDefaultToken(v):
		return tokenDefault
	case otherToken(v) || !hasExpr(v):
		return tokenOther
	}
	return tokenDefault // an expression Hardener cannot follow: count it as the GITHUB_TOKEN
}

// shortLabel names a step in a few words, for comments.
func shortLabel(s *workflow.Step) string {
	l := strings.Join(strings.Fields(exprRe.ReplaceAllString(s.Label(), "…")), " ")
	if len(l) > 24 {
		l = l[:21] + "..."
	}
	return fmt.Sprintf("%q", l)
}

func name(uses string) string {
	n, _, _ := strings.Cut(uses, "@")
	return n
}

func quote(s string) string {
	s = strings.Join(strings.Fields(exprRe.ReplaceAllString(s, "…")), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return fmt.Sprintf("%q", s)
}
