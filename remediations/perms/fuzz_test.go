package perms

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hardener/hardener/internal/workflow"
)

// FuzzPermissions: any workflow that parses is fixed without a panic, the
// result still parses, lines no edit touches are unchanged and in order,
// and the top-level block grants no write.
func FuzzPermissions(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.yml")
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b, n[len(n)-5] == 'd') // vary the default token mode
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, readDefault bool) {
		file, err := workflow.ParseWorkflow(".github/workflows/fuzz.yml", src)
		if err != nil {
			return
		}
		mode := "write"
		if readDefault {
			mode = "read"
		}
		out, p, err := fix(file, testFiles{}, mode)
		if err != nil || out == nil {
			return // refused or nothing to do: the file is left as it was
		}
		checkUnedited(t, src, out, p)
		after, err := workflow.ParseWorkflow(".github/workflows/fuzz.yml", out)
		if err != nil {
			t.Fatalf("the fix does not parse: %v\n--- before\n%s\n--- after\n%s", err, src, out)
		}
		if after.Workflow.Permissions != nil {
			if g, ok := grantOf(after.Workflow.Permissions); ok && g.hasWrite() {
				t.Fatalf("top-level permissions grant writes after the fix:\n%s", out)
			}
		}
	})
}
