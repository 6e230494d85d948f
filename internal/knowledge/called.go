package knowledge

import (
	"fmt"
	"path"
	"strings"

	"github.com/hardener/hardener/internal/workflow"
)

// calledNeeds is what a called reusable workflow needs from its caller:
// what each of its jobs declares (a called job that asks for more than
// its caller grants fails at start-up, so what it declares is what it
// needs), or, for a job that declares nothing, what its steps need.
func calledNeeds(files Files, parsed map[string]*workflow.File, uses string, depth int) Need {
	var n Need
	label := "workflow " + name(uses)
	if !IsLocalWorkflow(uses) {
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
		n.basis("called workflow " + source)
		return n
	}
	if files == nil || depth >= maxDepth {
		n.unknown(label, "the called workflow was not read")
		return n
	}
	p := LocalWorkflowPath(uses)
	f, ok := parsed[p]
	if !ok {
		if src, err := files.ReadFile(p); err == nil {
			f, _ = workflow.ParseWorkflow(p, src)
		}
		parsed[p] = f
	}
	if f == nil {
		n.unknown(label, "the called workflow cannot be read or does not parse")
		return n
	}
	cw := f.Workflow
	for _, cj := range cw.Jobs {
		switch {
		case cj.Permissions != nil:
			n.Merge(declared(cj.Permissions, p+" job "+cj.ID))
		case cw.Permissions != nil:
			n.Merge(declared(cw.Permissions, p))
		default:
			a := &analysis{files: files, w: cw, j: cj, parsed: parsed}
			n.Merge(a.job(depth + 1))
		}
	}
	n.basis("called workflow " + p + " (read)")
	return n
}

// IsLocalWorkflow reports whether a job's `uses:` calls a workflow of the
// same repository.
func IsLocalWorkflow(uses string) bool {
	return strings.HasPrefix(uses, "./") || strings.HasPrefix(uses, "$/")
}

// LocalWorkflowPath is the repository path of a local reusable workflow.
func LocalWorkflowPath(uses string) string {
	return path.Clean(strings.TrimPrefix(strings.TrimPrefix(name(uses), "./"), "$/"))
}

// declared turns a permissions block into a need.
func declared(p *workflow.Permissions, source string) Need {
	var n Need
	g, ok := GrantOf(p)
	if !ok {
		n.unknown(source, fmt.Sprintf("permissions %q", p.All))
		return n
	}
	for _, s := range g.Names() {
		n.Add(s, g[s], source)
	}
	return n
}
