package perms

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testFiles serves the test data as a repository: .github/workflows/x.yml
// is testdata/x.yml.
type testFiles struct{}

func (testFiles) ReadFile(name string) ([]byte, error) {
	const dir = ".github/workflows/"
	if !strings.HasPrefix(name, dir) {
		return nil, os.ErrNotExist
	}
	return os.ReadFile(filepath.Join("testdata", strings.TrimPrefix(name, dir)))
}

// cases lists the inputs in testdata (every .yml that is not a golden).
func cases(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if !strings.HasSuffix(n, ".golden.yml") {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		t.Fatal("no test data")
	}
	return out
}

// modeOf is the default token permissions a case assumes.
func modeOf(name string) string {
	if strings.HasPrefix(filepath.Base(name), "read-default") {
		return "read"
	}
	return "write"
}

func fixBytes(t *testing.T, name string, src []byte) ([]byte, plan) {
	t.Helper()
	f, err := workflow.ParseWorkflow(".github/workflows/"+filepath.Base(name), src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out, p, err := fix(f, knowledge.NewRepo(testFiles{}, []*workflow.File{f}, modeOf(name)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if out == nil {
		out = src
	}
	return out, p
}

func TestGolden(t *testing.T) {
	for _, name := range cases(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := fixBytes(t, name, src)
			golden := strings.TrimSuffix(name, ".yml") + ".golden.yml"
			if *update {
				if bytes.Equal(got, src) {
					_ = os.Remove(golden)
					return
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if os.IsNotExist(err) {
				want = src // no golden: the file must round-trip unchanged
			} else if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
