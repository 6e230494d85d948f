package snapshot

import "testing"

// TestRelevant: the files fetched one by one when an archive hid them are
// those a rule reads, the configuration and .gitattributes.
func TestRelevant(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		".github/workflows/ci.yml": true,
		"sub/action.yaml":          true,
		"build/Dockerfile.prod":    true,
		".github/hardener.yml":     true,
		".github/dependabot.yaml":  true,
		"package.json":             true,
		"docs/SECURITY.md":         true,
		"web/.gitattributes":       true,
		"README.md":                false,
		"src/main.go":              false,
		"docs/index.md":            false,
	} {
		if got := Relevant(p); got != want {
			t.Errorf("Relevant(%q) = %v, want %v", p, got, want)
		}
	}
}
