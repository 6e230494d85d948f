package perms

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

func snapshot(t *testing.T, names ...string) *repo.Snapshot {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, n := range names {
		b := readCase(t, n)
		fsys[".github/workflows/"+n] = &fstest.MapFile{Data: b}
	}
	return repo.New(fsys, "")
}

func TestApply(t *testing.T) {
	snap := snapshot(t, "release.yml", "script.yml", "read-all.yml", "called.yml")
	findings := []checks.Finding{
		{Rule: checks.RuleMissingPermissions, Primary: checks.Location{File: ".github/workflows/release.yml", Line: 6, Column: 3}},
		{Rule: checks.RuleMissingPermissions, Primary: checks.Location{File: ".github/workflows/script.yml", Line: 8, Column: 3}},
		{Rule: checks.RuleUnpinnedUses, Primary: checks.Location{File: ".github/workflows/release.yml", Line: 9, Column: 15}},
	}
	res, err := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: snap, Findings: findings})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "permissions" || res.Title == "" {
		t.Errorf("id %q title %q", res.ID, res.Title)
	}
	var paths []string
	for _, c := range res.Changes {
		paths = append(paths, c.Path)
		want, err := os.ReadFile("testdata/" + strings.TrimSuffix(strings.TrimPrefix(c.Path, ".github/workflows/"), ".yml") + ".golden.yml")
		if err != nil {
			t.Fatal(err)
		}
		if string(c.After) != string(want) {
			t.Errorf("%s differs from its golden file", c.Path)
		}
	}
	if strings.Join(paths, " ") != ".github/workflows/release.yml .github/workflows/script.yml" {
		t.Errorf("changed %v", paths)
	}
	if len(res.Fixed) != 2 {
		t.Errorf("fixed %v", res.Fixed)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes %+v", res.Notes)
	}
	for _, want := range []string{
		"| `.github/workflows/release.yml` | `release` | repository default (read and write) | contents: write | own block added |",
		"  - `contents`: write → read: its steps only read it (actions/checkout)",
		"`.github/workflows/script.yml` job `welcome` (every step is known: actions/github-script (script read)):",
		Docs,
		"**How to undo.**",
	} {
		if !strings.Contains(res.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, res.Explanation)
		}
	}
}

func TestApplyNothingToFix(t *testing.T) {
	_, err := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: snapshot(t, "read-all.yml", "called.yml")})
	if !errors.Is(err, remediations.ErrNothingToFix) {
		t.Errorf("err = %v", err)
	}
}

func TestApplySkipsWhatItCannotEdit(t *testing.T) {
	fsys := fstest.MapFS{".github/workflows/flow.yml": {Data: []byte(
		"on: push\njobs:\n  rel: {runs-on: x, steps: [{uses: softprops/action-gh-release@v2}]}\n")}}
	res, err := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: repo.New(fsys, "")})
	if !errors.Is(err, remediations.ErrNothingToFix) || res == nil {
		t.Fatalf("res %v err %v", res, err)
	}
	if len(res.Changes) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Message, "rel") {
		t.Errorf("changes %d notes %+v", len(res.Changes), res.Notes)
	}
}

func TestShowExplanation(t *testing.T) {
	if os.Getenv("SHOW") == "" {
		t.Skip()
	}
	res, _ := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: snapshot(t, "release.yml", "script.yml", "pages.yml", "reusable.yml", "called.yml")})
	t.Log(res.Explanation)
}
