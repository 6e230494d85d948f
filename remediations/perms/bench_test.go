package perms

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

// corpusRepos loads the corpus repositories into memory, repeated until
// they hold at least n workflows, so that a benchmark measures parsing and
// planning rather than the disk.
func corpusRepos(t testing.TB, n int) []fstest.MapFS {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/corpus/*")
	var base []fstest.MapFS
	count := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		fsys := fstest.MapFS{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b}
			if strings.HasPrefix(filepath.ToSlash(rel), ".github/workflows/") {
				count++
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, fsys)
	}
	if count == 0 {
		t.Fatal("empty corpus")
	}
	var out []fstest.MapFS
	for total := 0; total < n; total += count {
		out = append(out, base...)
	}
	return out
}

// BenchmarkPermissions50 fixes at least 50 workflows of the corpus per
// iteration, each repository a fresh snapshot (nothing cached across
// iterations): parsing, reading local actions and called workflows,
// planning, editing and rendering the explanation.
func BenchmarkPermissions50(b *testing.B) {
	repos := corpusRepos(b, 50)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, fsys := range repos {
			env := &remediations.Env{Snapshot: repo.New(fsys, ""), DefaultTokenPermissions: "write"}
			if _, err := (Permissions{}).Apply(ctx, env); err != nil && err != remediations.ErrNothingToFix {
				b.Fatal(err)
			}
		}
	}
}
