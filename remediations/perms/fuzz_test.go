package perms

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// FuzzPermissions: any workflow that parses is fixed without a panic, the
// result still parses, lines no edit touches are unchanged and in order,
// and no job's token gets a scope it did not have.
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
		out, p, err := fix(file, knowledge.NewRepo(testFiles{}, []*workflow.File{file}, mode))
		if err != nil || out == nil {
			return // refused or nothing to do: the file is left as it was
		}
		checkUnedited(t, src, out, p)
		after, err := workflow.ParseWorkflow(".github/workflows/fuzz.yml", out)
		if err != nil {
			t.Fatalf("the fix does not parse: %v\n--- before\n%s\n--- after\n%s", err, src, out)
		}
		checkNotWidened(t, file, after, mode)
	})
}
