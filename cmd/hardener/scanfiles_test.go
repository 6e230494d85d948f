package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Files given to scan (as pre-commit passes the changed ones) limit the
// report to those files; repository-level findings such as a missing
// SECURITY.md are left out. Not parallel: it changes directory.
func TestScanFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const wf = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: %s\n"
	write(".github/workflows/a.yml", strings.Replace(wf, "%s", "actions/checkout@v4", 1))
	write(".github/workflows/b.yml", strings.Replace(wf, "%s", "acme/tool@main", 1))
	write(".github/workflows/clean.yml", strings.Replace(wf, "%s", "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1", 1))
	write("action.yml", "runs:\n  using: composite\n  steps:\n    - uses: acme/other@v1\n")
	write("outside.yml", "x: 1\n")
	t.Chdir(filepath.Join(dir))

	files := func(out string) map[string]int {
		t.Helper()
		var doc struct {
			Findings []struct {
				File string `json:"file"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m := map[string]int{}
		for _, f := range doc.Findings {
			m[f.File]++
		}
		return m
	}
	scan := func(args ...string) (int, string, string) {
		return runCLI(t, append([]string{"scan", "--scorecard=false", "--format=json"}, args...)...)
	}

	code, out, stderr := scan(".github/workflows/a.yml")
	if got := files(out); code != 1 || len(got) != 1 || got[".github/workflows/a.yml"] == 0 {
		t.Errorf("one file: exit %d, findings %v, stderr %s", code, got, stderr)
	}
	code, out, _ = scan("./.github/workflows/a.yml", filepath.Join(dir, ".github", "workflows", "b.yml"), "action.yml")
	if got := files(out); code != 1 || len(got) != 3 {
		t.Errorf("three files: exit %d, findings %v", code, got)
	}
	if code, out, _ = scan(".github/workflows/clean.yml"); code != 0 || len(files(out)) != 0 {
		t.Errorf("clean file: exit %d, %s", code, out)
	}
	// The whole checkout still reports the repository-level findings.
	if _, out, _ = scan("."); files(out)["SECURITY.md"] == 0 {
		t.Errorf("directory scan lost the repository findings: %v", files(out))
	}
	for name, args := range map[string][]string{
		"missing file":       {".github/workflows/gone.yml"},
		"outside":            {filepath.Join("..", filepath.Base(dir), "..", "elsewhere.yml")},
		"directory and file": {".github", "action.yml"},
	} {
		if code, _, stderr := scan(args...); code != 2 || stderr == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
	parent := filepath.Dir(dir)
	if err := os.WriteFile(filepath.Join(parent, "elsewhere.yml"), []byte("x: 1\n"), 0o644); err == nil {
		defer os.Remove(filepath.Join(parent, "elsewhere.yml"))
		if code, _, stderr := scan("../elsewhere.yml"); code != 2 || !strings.Contains(stderr, "outside") {
			t.Errorf("file outside the checkout: exit %d, %s", code, stderr)
		}
	}
}
