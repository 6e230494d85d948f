package dependabot

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/updates"
	"github.com/hardener/hardener/remediations"
)

// The scan asks for a github-actions entry exactly when the remediation
// adds one: both use updates.Entry.Covers.
func TestScanAndFixAgree(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"no file":              "",
		"empty":                "# nothing yet\n",
		"no updates":           "version: 2\n",
		"gomod only":           "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule: {interval: weekly}\n",
		"actions at root":      "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n",
		"actions workflows":    "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /.github/workflows\n    schedule: {interval: weekly}\n",
		"actions dot":          "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: .\n    schedule: {interval: weekly}\n",
		"release branch only":  "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    target-branch: release-1.x\n    schedule: {interval: weekly}\n",
		"two target branches":  "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    target-branch: v1\n    schedule: {interval: weekly}\n  - package-ecosystem: github-actions\n    directory: /\n    target-branch: v2\n    schedule: {interval: weekly}\n",
		"action subdirectory":  "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /.github/actions/x\n    schedule: {interval: weekly}\n",
		"directories glob":     "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directories: [\"**\"]\n    schedule: {interval: weekly}\n",
		"directories list":     "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directories:\n      - /.github/actions/x\n    schedule: {interval: weekly}\n",
		"directories with /":   "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directories:\n      - /.github/actions/x\n      - /\n    schedule: {interval: weekly}\n",
		"quoted ecosystem":     "version: 2\nupdates:\n  - package-ecosystem: \"github-actions\"\n    directory: \"/\"\n    schedule: {interval: weekly}\n",
		"updates not a list":   "version: 2\nupdates: {}\n",
		"entry not a mapping":  "version: 2\nupdates:\n  - github-actions\n",
		"misspelt ecosystem":   "version: 2\nupdates:\n  - package-ecosystem: github-action\n    directory: /\n    schedule: {interval: weekly}\n",
		"ecosystem in comment": "version: 2\nupdates:\n  # - package-ecosystem: github-actions\n  - package-ecosystem: npm\n    directory: /\n    schedule: {interval: weekly}\n",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fs := fstest.MapFS{".github/workflows/ci.yml": {Data: []byte("on: push\njobs: {}\n")}}
			if name != "no file" {
				fs[".github/dependabot.yml"] = &fstest.MapFile{Data: []byte(content)}
			}
			e := env(fs)
			var asked bool
			for _, f := range checks.Scan(context.Background(), e.Snapshot, checks.Options{}).Findings {
				asked = asked || f.Rule == checks.RuleMissingDependencyUpd
			}
			res, err := Dependabot{}.Apply(context.Background(), e)
			if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
				t.Fatal(err)
			}
			added, reported := false, false
			if err == nil {
				f, perr := updates.Parse(res.Changes[0].After)
				if perr != nil {
					t.Fatalf("result does not parse: %v", perr)
				}
				added = f.CoversActions()
				n := 0
				for _, x := range f.Entries {
					if x.Ecosystem == GitHubActions && x.TargetBranch == "" && x.Covers(GitHubActions, "/") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d github-actions entries for / on the default branch after fix, want 1", n)
				}
			} else if res != nil {
				reported = len(res.Notes) > 0
			}
			if asked != (added || reported) {
				t.Errorf("scan asked: %v; fix added: %v, reported: %v", asked, added, reported)
			}
			if !asked && err == nil {
				t.Errorf("fix changed a file the scan had no finding for:\n%s", res.Changes[0].After)
			}
		})
	}
}
