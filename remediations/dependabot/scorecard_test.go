package dependabot

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/secpolicy"
)

// A repository with neither a security policy nor dependency updates
// scores 10 on both Scorecard checks after the two remediations.
func TestScorecardAfterRemediations(t *testing.T) {
	dir := t.TempDir()
	write := func(p string, b []byte) {
		t.Helper()
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", []byte("module example.com/x\n\ngo 1.22\n"))
	write("main.go", []byte("package main\n\nfunc main() {}\n"))

	before, err := scorecard.Run(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Security-Policy", "Dependency-Update-Tool"} {
		if before.Scores[c] != 0 {
			t.Fatalf("before: %s = %d, want 0", c, before.Scores[c])
		}
	}

	snap := repo.New(os.DirFS(dir), dir)
	snap.Owner, snap.Name = "acme", "widget"
	env := &remediations.Env{Snapshot: snap, Config: config.Default()}
	for _, r := range []remediations.Remediation{secpolicy.SecurityPolicy{}, Dependabot{}} {
		res, err := r.Apply(context.Background(), env)
		if err != nil {
			t.Fatalf("%s: %v", r.ID(), err)
		}
		for _, c := range res.Changes {
			write(c.Path, c.After)
		}
	}

	after, err := scorecard.Run(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Security-Policy", "Dependency-Update-Tool"} {
		if after.Scores[c] != 10 {
			t.Errorf("after: %s = %d (%s), want 10", c, after.Scores[c], after.Reasons[c])
		}
	}
}
