package config

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Exempt reports whether an `exempt:` pattern matches subject: a `uses:`
// value (`owner/repo[/path][@ref]`, optionally `docker://…`) or an image
// name (`registry/name[:tag][@digest]`). Matching is case-insensitive; `*`
// matches within one path element, `**` any number of elements, and a
// trailing `/*` everything below (so `owner/repo/*` covers the repository's
// actions and reusable workflows at any depth, and the repository itself).
// A pattern without `@` ignores the subject's ref or digest; a pattern
// without `:` also matches an image whatever its tag.
func (c Config) Exempt(subject string) bool { return MatchExempt(c.ExemptPatterns, subject) }

// MatchExempt is Exempt for any list of patterns (e.g. `hardener fix
// --exempt`), with the same rules.
func MatchExempt(patterns []string, subject string) bool {
	if subject == "" {
		return false
	}
	cands := subjectForms(strings.ToLower(strings.TrimPrefix(subject, "docker://")))
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimPrefix(p, "docker://"))
		for _, s := range cands {
			if globMatch(p, s) {
				return true
			}
		}
	}
	return false
}

// subjectForms returns s, s without `@ref`, and that without an image tag.
func subjectForms(s string) []string {
	out := []string{s}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
		out = append(out, s)
	}
	last := s[strings.LastIndexByte(s, '/')+1:]
	if i := strings.IndexByte(last, ':'); i >= 0 {
		out = append(out, s[:len(s)-len(last)+i])
	}
	return out
}

// IgnoredPath reports whether a slash-separated path relative to the
// repository root matches a `paths-ignore` pattern. Patterns are
// doublestar globs: `*`, `?`, `[…]` (`[!…]` negates) and `{a,b}` within
// one path element, `**` any number of elements.
func (c Config) IgnoredPath(p string) bool {
	p = strings.TrimPrefix(p, "./")
	for _, pat := range c.PathsIgnore {
		if doublestar.MatchUnvalidated(strings.TrimPrefix(pat, "/"), p) {
			return true
		}
	}
	return false
}

// globMatch is a doublestar match plus the trailing `/*` rule of Exempt.
// Patterns were validated when the file was parsed (ValidatePattern).
func globMatch(pattern, name string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok && prefix != "" {
		if doublestar.MatchUnvalidated(prefix+"/**", name) {
			return true
		}
	}
	return doublestar.MatchUnvalidated(pattern, name)
}
