package app

import (
	"strings"

	"github.com/hardener/hardener/checks"
)

// Risk tiers of a repository's hardening pull request, highest first.
const (
	tierExploitable = 3 // findings someone outside can exploit
	tierReleases    = 2 // publishes releases: a compromise reaches users
	tierPopular     = 1 // starred: others depend on it
)

// riskPriority orders pull-request jobs within an installation:
// repositories with exploitable findings first, then those that publish
// releases, then by stars, then the rest.
func riskPriority(sc *scanned, repo repoInfo) int {
	tier := 0
	switch {
	case hasExploitable(sc.findings):
		tier = tierExploitable
	case publishesReleases(sc):
		tier = tierReleases
	case repo.stars > 0:
		tier = tierPopular
	}
	return tier*1_000_000 + min(repo.stars, 999_999)
}

func hasExploitable(fs []checks.Finding) bool {
	for _, f := range fs {
		if f.Exploitable() {
			return true
		}
	}
	return false
}

// publishesReleases reports whether a workflow runs on releases or tags,
// the usual shape of one that publishes.
func publishesReleases(sc *scanned) bool {
	for p, f := range sc.tree.Files {
		if !strings.HasPrefix(p, ".github/workflows/") {
			continue
		}
		s := string(f.Data)
		if strings.Contains(s, "release:") || strings.Contains(s, "tags:") || strings.Contains(s, "[release") {
			return true
		}
	}
	return false
}
