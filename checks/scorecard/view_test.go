package scorecard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExpansionBudget(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		yaml string
		want error
	}{
		"no aliases": {"a: 1\nb: [1, 2]\n", nil},
		"anchors reused as workflows do": {
			"defaults: &d {runs-on: ubuntu-latest, timeout-minutes: 5}\njobs:\n  a: *d\n  b: *d\n  c: {<<: *d, name: c}\n", nil},
		"alias bomb":                 {aliasBomb(), errAliasBomb},
		"two documents, bomb second": {"a: 1\n---\n" + aliasBomb(), errAliasBomb},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := expansionBudget([]byte(tc.yaml)); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestHide: what Scorecard is not shown, and why; the rest is shown.
func TestHide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		".github/workflows/ok.yml":     "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
		".github/workflows/bomb.yaml":  aliasBomb(),
		".github/workflows/broken.yml": "on: [push\n",
		".github/workflows/big.yml":    "on: push\n" + strings.Repeat("# padding\n", 110_000),
		".GitHub/Workflows/ODD.YML":    aliasBomb(), // Scorecard lower-cases the directory
		".github/workflows/notes.txt":  aliasBomb(), // not a workflow: Scorecard does not parse it
		"docs/workflow.yml":            aliasBomb(), // not in .github/workflows either
		"Dockerfile":                   "FROM alpine:3.20\n",
		"src/main.go":                  "package main\n",
	}
	var all []string
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	hidden, skipped := hide(dir, all)
	want := map[string]string{
		".GitHub/Workflows/ODD.YML":    "alias expansion",
		".github/workflows/big.yml":    "larger than the size cap",
		".github/workflows/bomb.yaml":  "alias expansion",
		".github/workflows/broken.yml": "invalid YAML",
	}
	if len(skipped) != len(want) {
		t.Errorf("skipped %+v", skipped)
	}
	for _, s := range skipped {
		if !strings.Contains(s.Reason, want[s.File]) || want[s.File] == "" || !hidden[s.File] {
			t.Errorf("%s: reason %q, want it to mention %q", s.File, s.Reason, want[s.File])
		}
	}
}
