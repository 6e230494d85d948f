package checks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hardener/hardener/internal/repo"
)

// TestCorpusGolden locks every finding of the corpus (place, severity,
// confidence, message, related places) in testdata/corpus/NAME.golden;
// rewrite with -update and review the diff.
func TestCorpusGolden(t *testing.T) {
	cases, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join(corpusDir, c.Name())
			res := Scan(context.Background(), repo.New(os.DirFS(dir), dir), Options{})
			var b strings.Builder
			for _, f := range res.Findings {
				if notMeasured[f.Rule] {
					continue
				}
				p := f.Primary
				fmt.Fprintf(&b, "%s:%d:%d-%d:%d %s %s/%s", p.File, p.Line, p.Column, p.EndLine, p.EndColumn, f.Rule, f.Severity, f.Confidence)
				if f.Subject != "" {
					fmt.Fprintf(&b, " [%s]", f.Subject)
				}
				fmt.Fprintf(&b, "\n\t%s\n", f.Message)
				for _, r := range f.Related {
					fmt.Fprintf(&b, "\tat %s:%d:%d %s\n", r.File, r.Line, r.Column, r.Note)
				}
			}
			path := filepath.Join(corpusDir, c.Name()+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if d := cmp.Diff(string(want), b.String()); d != "" {
				t.Errorf("%s differs (-want +got):\n%s", path, d)
			}
		})
	}
}
