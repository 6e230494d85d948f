package knowledge

import (
	"sort"
	"strings"

	"github.com/hardener/hardener/internal/workflow"
)

// Grant is a complete set of GITHUB_TOKEN permissions: scope → read or
// write. A scope that is not listed is none.
type Grant map[string]string

// Permissive is GitHub's permissive default ("Read and write
// permissions"): every scope read/write except id-token (none) and models
// (read), per the "Permissions for the GITHUB_TOKEN" table.
func Permissive() Grant {
	g := Grant{}
	for _, s := range Scopes {
		if s != "id-token" {
			g[s] = MaxLevel(s)
		}
	}
	return g
}

// Restricted is the restricted default ("Read repository contents and
// packages permissions"); metadata: read is implicit and cannot be set.
func Restricted() Grant { return Grant{"contents": Read, "packages": Read} }

// Default is what a job gets without any permissions block: mode is the
// repository's default, "read" or "write".
func Default(mode string) Grant {
	if mode == "read" {
		return Restricted()
	}
	return Permissive()
}

// GrantOf reads a permissions block. ok is false for a value that is not a
// shorthand or a mapping (an expression, an empty value).
func GrantOf(p *workflow.Permissions) (g Grant, ok bool) {
	g = Grant{}
	switch p.All {
	case "":
		if p.AllAt != nil || p.Node == nil {
			return g, false // `permissions:` with an empty or null value
		}
		for _, s := range p.Scopes {
			if Rank(s.Level) > 0 {
				g[s.Name] = s.Level
			}
		}
	case "write-all":
		for _, s := range Scopes {
			g[s] = MaxLevel(s)
		}
	case "read-all":
		for _, s := range Scopes {
			if s != "id-token" {
				g[s] = Read
			}
		}
	default:
		return g, false
	}
	return g, true
}

// Clone copies a grant.
func (g Grant) Clone() Grant {
	out := make(Grant, len(g))
	for s, l := range g {
		out[s] = l
	}
	return out
}

// HasWrite reports whether any scope is write.
func (g Grant) HasWrite() bool {
	for _, l := range g {
		if l == Write {
			return true
		}
	}
	return false
}

// Writes lists the scopes granted write, sorted.
func (g Grant) Writes() []string {
	var out []string
	for _, s := range g.Names() {
		if g[s] == Write {
			out = append(out, s)
		}
	}
	return out
}

// Covers reports whether g gives at least every level in need.
func (g Grant) Covers(need map[string]string) bool {
	for s, l := range need {
		if Rank(g[s]) < Rank(l) {
			return false
		}
	}
	return true
}

// Equal compares the levels of two grants.
func (g Grant) Equal(o Grant) bool { return g.Covers(o) && o.Covers(g) }

// Min is the intersection: each scope at the lower of the two levels. It
// is what a called workflow gets when its own block asks for g and the
// caller grants o.
func (g Grant) Min(o Grant) Grant {
	out := Grant{}
	for s, l := range g {
		if Rank(o[s]) < Rank(l) {
			l = o[s]
		}
		if Rank(l) > 0 {
			out[s] = l
		}
	}
	return out
}

// Capped returns want limited to what g grants: a fix never widens.
func (g Grant) Capped(want map[string]string) Grant {
	return Grant(want).Min(g)
}

// Union merges levels, keeping the higher of each scope.
func Union(ms ...map[string]string) Grant {
	out := Grant{}
	for _, m := range ms {
		for s, l := range m {
			if Rank(l) > Rank(out[s]) {
				out[s] = l
			}
		}
	}
	return out
}

// Names lists the scopes of g, sorted.
func (g Grant) Names() []string {
	out := make([]string, 0, len(g))
	for s := range g {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// String is the grant in one line, for explanations and messages.
func (g Grant) String() string {
	if len(g) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, s := range g.Names() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s + ": " + g[s])
	}
	return b.String()
}

// Known reports whether scope is one of the scopes Hardener knows; a fix
// leaves any other scope alone, since nothing says what needs it.
func Known(scope string) bool {
	i := sort.SearchStrings(Scopes, scope)
	return i < len(Scopes) && Scopes[i] == scope
}
