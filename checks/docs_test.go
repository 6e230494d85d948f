package checks

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// renderRuleDocs writes docs/rules.md from the rules' own documentation,
// so the help text in SARIF and the page the DocsURL points at agree.
func renderRuleDocs() string {
	var b strings.Builder
	b.WriteString("# Hardener rules\n\nGenerated from `checks/docs.go` by `go test ./checks -run TestRuleDocs -update`.\n\n")
	b.WriteString("| rule | severity (at most) | fixed by |\n|---|---|---|\n")
	for _, r := range Rules() {
		fix := r.Remediation
		if fix == "" {
			fix = "—"
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r.ID, r.ID, r.Severity, fix)
	}
	for _, r := range Rules() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** %s\n", r.ID, r.Short, r.Help)
	}
	b.WriteString("\nSuppress one finding with `# hardener: ignore[rule-id]` on its line or alone on the line above.\n")
	return b.String()
}

func TestRuleDocs(t *testing.T) {
	const path = "../docs/rules.md"
	got := renderRuleDocs()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s is stale: run go test ./checks -run TestRuleDocs -update", path)
	}
	seen := map[string]bool{}
	for _, c := range All() {
		seen[c.ID()] = true
	}
	for _, c := range Online(nil) {
		seen[c.ID()] = true
	}
	for _, r := range Rules() {
		if !seen[r.ID] {
			t.Errorf("rule %s is documented but no check reports it", r.ID)
		}
		delete(seen, r.ID)
	}
	for id := range seen {
		t.Errorf("check %s has no documentation", id)
	}
}
