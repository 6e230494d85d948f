package perms

import (
	"sort"
	"strings"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// grant is a complete set of token permissions: scope → read|write;
// scopes not listed are none. all is "write-all" or "read-all" for a
// shorthand, which render keeps.
type grant struct {
	scopes map[string]string
	all    string
}

// permissive is GitHub's permissive default ("Read and write
// permissions"): every scope read/write except id-token (none) and models
// (read), per the "Permissions for the GITHUB_TOKEN" table.
func permissive() grant {
	g := grant{scopes: map[string]string{}}
	for _, s := range knowledge.Scopes {
		if s != "id-token" {
			g.scopes[s] = knowledge.MaxLevel(s)
		}
	}
	return g
}

// restricted is the restricted default ("Read repository contents and
// packages permissions"); metadata: read is implicit and cannot be set.
func restricted() grant {
	return grant{scopes: map[string]string{"contents": knowledge.Read, "packages": knowledge.Read}}
}

// defaults is what a job gets without any permissions block.
func defaults(mode string) grant {
	if mode == "read" {
		return restricted()
	}
	return permissive()
}

// grantOf reads a permissions block; ok is false for a value that is not
// a shorthand or a mapping (an expression).
func grantOf(p *workflow.Permissions) (grant, bool) {
	g := grant{scopes: map[string]string{}}
	switch p.All {
	case "":
		if p.AllAt != nil {
			return g, false // `permissions:` with an empty or null value
		}
		for _, s := range p.Scopes {
			if knowledge.Rank(s.Level) > 0 {
				g.scopes[s.Name] = s.Level
			}
		}
	case "write-all":
		for _, s := range knowledge.Scopes {
			g.scopes[s] = knowledge.MaxLevel(s)
		}
		g.all = p.All
	case "read-all":
		for _, s := range knowledge.Scopes {
			if s != "id-token" {
				g.scopes[s] = knowledge.Read
			}
		}
		g.all = p.All
	default:
		return g, false
	}
	return g, true
}

func (g grant) hasWrite() bool {
	for _, l := range g.scopes {
		if l == knowledge.Write {
			return true
		}
	}
	return false
}

// covers reports whether g gives at least every level in need.
func (g grant) covers(need map[string]string) bool {
	for s, l := range need {
		if knowledge.Rank(g.scopes[s]) < knowledge.Rank(l) {
			return false
		}
	}
	return true
}

// equal compares the scopes (not the spelling).
func (g grant) equal(o grant) bool {
	return g.covers(o.scopes) && o.covers(g.scopes)
}

// capped returns want limited to what today grants: never widen.
func capped(want map[string]string, today grant) grant {
	g := grant{scopes: map[string]string{}}
	for s, l := range want {
		t := today.scopes[s]
		if knowledge.Rank(t) < knowledge.Rank(l) {
			l = t
		}
		if knowledge.Rank(l) > 0 {
			g.scopes[s] = l
		}
	}
	return g
}

// union merges levels, keeping the higher.
func union(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for s, l := range m {
			if knowledge.Rank(l) > knowledge.Rank(out[s]) {
				out[s] = l
			}
		}
	}
	return out
}

// narrowed is the level a write becomes where it is not needed: read, or
// none for id-token, which has no read level.
func narrowed(scope string) string {
	if scope == "id-token" {
		return knowledge.None
	}
	return knowledge.Read
}

// names lists the scopes of g, sorted.
func (g grant) names() []string {
	out := make([]string, 0, len(g.scopes))
	for s := range g.scopes {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// String is the grant in one line, for explanations.
func (g grant) String() string {
	if g.all != "" {
		return g.all
	}
	if len(g.scopes) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, s := range g.names() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s + ": " + g.scopes[s])
	}
	return b.String()
}
