package checks

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

// KeepSuppressed hands the suppressed findings back, with their
// remediation, instead of dropping them; by default they are dropped.
func TestScanKeepSuppressed(t *testing.T) {
	t.Parallel()
	wf := ".github/workflows/w.yml"
	src := "on: push\njobs:\n  a:\n    steps:\n      # hardener: ignore[unpinned-uses]\n      - uses: x/y@v1\n      - uses: x/z@v1\n"
	snap := repo.New(fstest.MapFS{wf: {Data: []byte(src)}}, "")
	only := []Check{unpinnedUses{}}
	res := Scan(context.Background(), snap, Options{Checks: only})
	if len(res.Findings) != 1 || len(res.Suppressed) != 0 {
		t.Fatalf("default: findings %d, suppressed %d; want 1, 0", len(res.Findings), len(res.Suppressed))
	}
	res = Scan(context.Background(), repo.New(fstest.MapFS{wf: {Data: []byte(src)}}, ""), Options{Checks: only, KeepSuppressed: true})
	if len(res.Findings) != 1 || len(res.Suppressed) != 1 {
		t.Fatalf("kept: findings %d, suppressed %d; want 1, 1", len(res.Findings), len(res.Suppressed))
	}
	if s := res.Suppressed[0]; s.Primary.Line != 6 || s.Remediation != FixPinActions {
		t.Errorf("suppressed = %+v", s)
	}
}
