package pin

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testCase is one input file of testdata/.
type testCase struct {
	name   string // file name in testdata
	path   string // path in the snapshot, which decides the kind of file
	golden string // golden file name
	src    []byte
}

// cases lists testdata inputs: name.yml (a workflow), name.action.yml (an
// action metadata file), name.Dockerfile.
func cases(t testing.TB) []testCase {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []testCase
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.Contains(n, ".golden.") || strings.HasSuffix(n, ".notes") {
			continue
		}
		src, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		c := testCase{name: n, src: src}
		switch {
		case strings.HasSuffix(n, ".action.yml"):
			base := strings.TrimSuffix(n, ".action.yml")
			c.path, c.golden = "actions/"+base+"/action.yml", base+".action.golden.yml"
		case strings.HasSuffix(n, ".Dockerfile"):
			base := strings.TrimSuffix(n, ".Dockerfile")
			c.path, c.golden = "build/"+n, base+".golden.Dockerfile"
		case strings.HasSuffix(n, ".yml"):
			base := strings.TrimSuffix(n, ".yml")
			c.path, c.golden = ".github/workflows/"+n, base+".golden.yml"
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// newEnv is a snapshot of the given files with the default config; gh nil
// means offline.
func newEnv(files map[string][]byte, gh *fakeGitHub) *remediations.Env {
	fsys := fstest.MapFS{}
	for p, b := range files {
		fsys[p] = &fstest.MapFile{Data: b}
	}
	env := &remediations.Env{Snapshot: repo.New(fsys, ""), Config: config.Default(), Images: &fakeImages{}}
	if gh != nil {
		env.Resolver = gh.resolver()
	}
	return env
}

// run applies pin-actions, then pin-images on its result, to one file.
func run(t testing.TB, path string, src []byte, gh *fakeGitHub) ([]byte, []remediations.Note) {
	t.Helper()
	var notes []remediations.Note
	cur := src
	for _, rem := range []remediations.Remediation{PinActions{}, PinImages{}} {
		res, err := rem.Apply(context.Background(), newEnv(map[string][]byte{path: cur}, gh))
		if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
			t.Fatalf("%s: %v", rem.ID(), err)
		}
		if res == nil {
			t.Fatalf("%s: nil result", rem.ID())
		}
		notes = append(notes, res.Notes...)
		if err == nil {
			if len(res.Changes) != 1 || res.Changes[0].Path != path || !bytes.Equal(res.Changes[0].Before, cur) {
				t.Fatalf("%s: unexpected changes %+v", rem.ID(), res.Changes)
			}
			if res.Explanation == "" {
				t.Errorf("%s: no explanation", rem.ID())
			}
			cur = res.Changes[0].After
		}
	}
	return cur, notes
}

func formatNotes(notes []remediations.Note) string {
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "%d: %s\n", n.Line, n.Message)
	}
	return b.String()
}

// TestGolden pins every testdata input against the fake upstream
// repositories and compares with name.golden.*; an input without a golden
// file must come out byte for byte unchanged. Notes are compared with
// name.notes when there are any.
func TestGolden(t *testing.T) {
	gh := universe(t)
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			if _, err := workflow.Parse(c.path, c.src); err != nil {
				t.Fatalf("input does not parse: %v", err)
			}
			got, notes := run(t, c.path, c.src, gh)
			goldenPath := filepath.Join("testdata", c.golden)
			notesPath := filepath.Join("testdata", strings.TrimSuffix(c.name, filepath.Ext(c.name))+".notes")
			if *update {
				writeOrRemove(t, goldenPath, got, !bytes.Equal(got, c.src))
				writeOrRemove(t, notesPath, []byte(formatNotes(notes)), len(notes) > 0)
				return
			}
			want, err := os.ReadFile(goldenPath)
			if errors.Is(err, os.ErrNotExist) {
				want = c.src
			} else if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", goldenPath, got, want)
			}
			wantNotes, _ := os.ReadFile(notesPath)
			if g := formatNotes(notes); g != string(wantNotes) {
				t.Errorf("notes differ from %s:\n--- got\n%s--- want\n%s", notesPath, g, wantNotes)
			}
		})
	}
}

func writeOrRemove(t *testing.T, path string, data []byte, keep bool) {
	t.Helper()
	if !keep {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
