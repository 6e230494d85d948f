package scorecard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
)

// TestFindingsCoverScorecard checks that every GitHub action, reusable
// workflow and container image Scorecard counts as unpinned is one of our
// findings at the same file and line, unless config exempts it.
func TestFindingsCoverScorecard(t *testing.T) {
	t.Parallel()
	dirs := []string{"../../examples/insecure"}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join("testdata", e.Name()))
		}
	}
	cfg := config.Default()
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := scorecard.Run(context.Background(), abs)
			if err != nil {
				t.Fatal(err)
			}
			res := checks.Scan(context.Background(), repo.New(os.DirFS(abs), abs), checks.Options{Exempt: cfg.Exempt})
			ours := map[string]bool{}
			for _, f := range res.Findings {
				if f.Rule == checks.RuleUnpinnedUses || f.Rule == checks.RuleUnpinnedImage {
					ours[fmt.Sprintf("%s:%d", f.Primary.File, f.Primary.Line)] = true
				}
			}
			for _, d := range sc.Unpinned {
				if cfg.Exempt(d.Name + "@" + d.Ref) {
					continue
				}
				if !ours[fmt.Sprintf("%s:%d", d.File, d.Line)] {
					t.Errorf("Scorecard counts %s %s@%s at %s:%d as unpinned; we have no finding there", d.Type, d.Name, d.Ref, d.File, d.Line)
				}
			}
			if name := filepath.Base(dir); (name == "insecure" || name == "weak") && len(sc.Unpinned) == 0 {
				t.Fatalf("Scorecard found nothing unpinned in %s: the comparison would prove nothing", name)
			}
			t.Logf("Scorecard: %d unpinned; ours: %d pinning findings", len(sc.Unpinned), len(ours))
		})
	}
}
