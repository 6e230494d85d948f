package dependabot

import (
	"path"
	"slices"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/updates"
	"github.com/hardener/hardener/internal/workflow"
)

// GitHubActions is the ecosystem that is always added: pinned actions
// need it to receive updates.
const GitHubActions = updates.GitHubActions

// update is one wanted `updates:` entry.
type update struct {
	Ecosystem string
	Directory string
}

// ecosystemOf names the Dependabot ecosystem a manifest file belongs to,
// or "".
func ecosystemOf(p string) string {
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch {
	case base == "go.mod":
		return "gomod"
	case base == "package.json":
		return "npm"
	case base == "pyproject.toml", base == "setup.py", base == "Pipfile",
		strings.HasPrefix(lower, "requirements") && strings.HasSuffix(lower, ".txt"):
		return "pip"
	case base == "Cargo.toml":
		return "cargo"
	case workflow.KindOf(p) == workflow.KindDockerfile:
		return "docker"
	case base == "pom.xml":
		return "maven"
	case base == "build.gradle", base == "build.gradle.kts":
		return "gradle"
	case strings.HasSuffix(lower, ".csproj"), lower == "packages.config":
		return "nuget"
	case base == "Gemfile":
		return "bundler"
	case base == "composer.json":
		return "composer"
	}
	return ""
}

// skipped are directories whose manifests are not the project's own.
var skipped = []string{"node_modules", "vendor", "testdata", "third_party", ".git"}

// detect lists the github-actions entry plus one entry per directory of
// each ecosystem that config lists and the tree contains.
func detect(snap *repo.Snapshot, ecosystems []string) ([]update, error) {
	out := []update{{Ecosystem: GitHubActions, Directory: "/"}}
	if len(ecosystems) == 0 {
		return out, nil
	}
	paths, err := snap.Files()
	if err != nil {
		return nil, err
	}
	seen := map[update]bool{out[0]: true}
	var found []update
	for _, p := range paths {
		eco := ecosystemOf(p)
		if eco == "" || !slices.Contains(ecosystems, eco) || hasSkipped(p) {
			continue
		}
		u := update{Ecosystem: eco, Directory: normDir(path.Dir(p))}
		if !seen[u] {
			seen[u] = true
			found = append(found, u)
		}
	}
	slices.SortStableFunc(found, func(a, b update) int {
		if c := slices.Index(ecosystems, a.Ecosystem) - slices.Index(ecosystems, b.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(a.Directory, b.Directory)
	})
	return append(out, found...), nil
}

func hasSkipped(p string) bool {
	for _, seg := range strings.Split(path.Dir(p), "/") {
		if slices.Contains(skipped, seg) {
			return true
		}
	}
	return false
}

// normDir writes a directory the way Dependabot config does.
func normDir(d string) string { return updates.NormDir(d) }
