package checks

import (
	"path"
	"strings"
)

// Uses is a parsed `uses:` reference.
type Uses struct {
	Owner, Repo string
	// Path is the sub-directory or workflow file inside the repository.
	Path string
	Ref  string
	// Local is set for `./path` and `$/path` actions and workflows.
	Local bool
	// Self is set for `$/path`: this repository at the commit of the
	// running workflow, whatever is checked out (GitHub's self-repository
	// syntax; never pinned, never given a ref).
	Self bool
	// Docker is set for `docker://image` references.
	Docker bool
	Image  string
}

// ParseUses reads `owner/repo[/path]@ref`, `./local`, `$/local` or
// `docker://image`. ok is false for values that are none of these
// (including expressions and `$/path@ref`).
func ParseUses(s string) (u Uses, ok bool) {
	switch {
	case strings.HasPrefix(s, "./") || s == ".":
		return Uses{Local: true, Path: s}, true
	case strings.HasPrefix(s, "$/"):
		if len(s) == 2 || strings.ContainsAny(s, "@") || strings.Contains(s, "${{") {
			return Uses{}, false
		}
		return Uses{Local: true, Self: true, Path: s}, true
	case strings.HasPrefix(s, "docker://"):
		return Uses{Docker: true, Image: strings.TrimPrefix(s, "docker://")}, true
	case strings.Contains(s, "${{"):
		return Uses{}, false
	}
	name, ref, found := strings.Cut(s, "@")
	if !found || ref == "" {
		return Uses{}, false
	}
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Uses{}, false
	}
	u = Uses{Owner: parts[0], Repo: parts[1], Ref: ref}
	if len(parts) == 3 {
		u.Path = parts[2]
	}
	return u, true
}

// Name is `owner/repo[/path]` without the ref.
func (u Uses) Name() string {
	if u.Path != "" {
		return u.Owner + "/" + u.Repo + "/" + u.Path
	}
	return u.Owner + "/" + u.Repo
}

// IsSHA reports whether s is a full 40-hex commit SHA (or a 64-hex SHA-256
// object name).
func IsSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Reusable reports whether the reference is a reusable workflow.
func (u Uses) Reusable() bool {
	return strings.Contains(u.Path, ".github/workflows/")
}

// LocalPath is the repository path of a local action or workflow
// (`./a/b` and `$/a/b` give `a/b`, `./` gives `.`), or "" for a remote one.
func (u Uses) LocalPath() string {
	if !u.Local {
		return ""
	}
	return path.Clean(strings.TrimPrefix(strings.TrimPrefix(u.Path, "./"), "$/"))
}

// UsesProblem says why a `uses:` value is not a reference GitHub accepts,
// for the cases actionlint does not judge; "" when it has nothing to say.
func UsesProblem(s string) string {
	switch {
	case strings.Contains(s, "${{"):
		return "`uses:` cannot contain an expression: GitHub resolves actions and reusable workflows before any context exists"
	case s == "$/" || s == "$":
		return "`$/` must be followed by the path of an action or workflow in this repository"
	case strings.HasPrefix(s, "$/") && strings.Contains(s, "@"):
		return "a `$/` reference must not carry `@ref`: it always resolves to the commit of the running workflow"
	}
	return ""
}
