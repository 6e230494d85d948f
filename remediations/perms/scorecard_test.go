package perms

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/knowledge"
	scchecks "github.com/ossf/scorecard/v5/checks"
)

// TestScorecardTokenPermissions runs Scorecard v5's Token-Permissions
// check on every fixed workflow, each alone in a checkout: the score never
// drops, and a file whose jobs are all known scores 10 unless a write stays
// at the workflow level because every job there uses it (moving it would
// change nothing). Scorecard tolerates writes in a job's own block as long
// as the workflow's block is read-only.
func TestScorecardTokenPermissions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Scorecard")
	}
	for _, name := range cases(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got, p := fixBytes(t, name, src)
			before := score(t, src)
			after := score(t, got)
			t.Logf("Token-Permissions %d → %d", before, after)
			if after < before {
				t.Errorf("Token-Permissions %d → %d", before, after)
			}
			whole := true
			for _, r := range p.rows {
				whole = whole && r.Review == "" && len(r.Kept) == 0
			}
			if top := parse(t, name, got).Workflow.Permissions; top == nil {
				whole = false // every job has its own block: none is added at the top for nothing
			} else if g, ok := knowledge.GrantOf(top); ok && g.HasWrite() {
				whole = false // a write every job uses stays where it is
			}
			if whole && after != 10 {
				t.Errorf("Token-Permissions = %d after the fix, want 10", after)
			}
		})
	}
}

func score(t *testing.T, workflow []byte) int {
	t.Helper()
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wf, "x.yml"), workflow, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := scorecard.Run(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := res.Scores[scchecks.CheckTokenPermissions]
	if !ok {
		t.Fatalf("no Token-Permissions score: %v", res.Reasons)
	}
	return s
}
