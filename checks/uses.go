package checks

import (
	"strings"
)

// Uses is a parsed `uses:` reference.
type Uses struct {
	Owner, Repo string
	// Path is the sub-directory or workflow file inside the repository.
	Path string
	Ref  string
	// Local is set for `./path` actions and workflows.
	Local bool
	// Docker is set for `docker://image` references.
	Docker bool
	Image  string
}

// ParseUses reads `owner/repo[/path]@ref`, `./local` or `docker://image`.
// ok is false for values that are none of these (including expressions).
func ParseUses(s string) (u Uses, ok bool) {
	switch {
	case strings.HasPrefix(s, "./") || s == ".":
		return Uses{Local: true, Path: s}, true
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
