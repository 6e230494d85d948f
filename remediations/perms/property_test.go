package perms

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/workflow"
)

// variants of a case that must be fixed the same way: CRLF line endings
// and no final newline.
var variants = map[string]func([]byte) []byte{
	"as is": func(b []byte) []byte { return b },
	"crlf": func(b []byte) []byte {
		return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	},
	"no final newline": func(b []byte) []byte { return bytes.TrimRight(b, "\r\n") },
}

// TestProperties checks, for every case and variant: lines outside the
// edits are byte-identical and in order, the result parses and lints no
// worse, no job gets a scope it did not have or loses one its steps need
// (or that cannot be proven unneeded), and a second run changes nothing.
func TestProperties(t *testing.T) {
	for _, name := range cases(t) {
		for vname, vary := range variants {
			t.Run(filepath.Base(name)+"/"+vname, func(t *testing.T) {
				src := vary(readCase(t, name))
				got, p := fixBytes(t, name, src)
				checkUnedited(t, src, got, p)
				before := parse(t, name, src)
				after := parse(t, name, got)
				checkNotWidened(t, before, after, modeOf(name))
				rb := knowledge.NewRepo(testFiles{}, []*workflow.File{before}, modeOf(name))
				ra := knowledge.NewRepo(testFiles{}, []*workflow.File{after}, modeOf(name))
				for i, j := range after.Workflow.Jobs {
					was := rb.Effective(before, before.Workflow.Jobs[i]).Grant
					now := ra.Effective(after, j).Grant
					if n := rb.Needs(before, before.Workflow.Jobs[i]); n.Known() && !now.Covers(was.Capped(n.Floor())) {
						t.Errorf("job %s lost a needed scope: needs %v, has %s", j.ID, n.Floor(), now)
					}
					if n := rb.Needs(before, before.Workflow.Jobs[i]); !n.Known() && !now.Equal(was) {
						t.Errorf("job %s has unknown needs and was changed: %s → %s", j.ID, was, now)
					}
				}
				if lint(t, got) > lint(t, src) {
					t.Errorf("actionlint finds new errors:\n%s", got)
				}
				again, _ := fixBytes(t, name, got)
				if !bytes.Equal(again, got) {
					t.Errorf("second run changed the file:\n%s", again)
				}
			})
		}
	}
}

// checkNotWidened fails when a job's token gets a scope, or a level, it
// did not have before the fix.
func checkNotWidened(t *testing.T, before, after *workflow.File, mode string) {
	t.Helper()
	rb := knowledge.NewRepo(nil, []*workflow.File{before}, mode)
	ra := knowledge.NewRepo(nil, []*workflow.File{after}, mode)
	for i, j := range after.Workflow.Jobs {
		was := rb.Effective(before, before.Workflow.Jobs[i]).Grant
		now := ra.Effective(after, j).Grant
		if !was.Covers(now) {
			t.Fatalf("job %s widened: %s → %s\n%s", j.ID, was, now, after.Source.Src)
		}
	}
}

// TestLineEndingInvariant: fixing the CRLF form gives the CRLF form of the
// fix.
func TestLineEndingInvariant(t *testing.T) {
	crlf := variants["crlf"]
	for _, name := range cases(t) {
		src := readCase(t, name)
		lf, _ := fixBytes(t, name, bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")))
		got, _ := fixBytes(t, name, crlf(src))
		if !bytes.Equal(got, crlf(lf)) {
			t.Errorf("%s: CRLF result differs from the LF result", name)
		}
	}
}

func readCase(t *testing.T, name string) []byte {
	t.Helper()
	b, err := testFiles{}.ReadFile(".github/workflows/" + filepath.Base(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, name string, src []byte) *workflow.File {
	t.Helper()
	f, err := workflow.ParseWorkflow(".github/workflows/"+filepath.Base(name), src)
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, src)
	}
	return f
}

// checkUnedited verifies that every line no edit touches appears in the
// output unchanged and in order.
func checkUnedited(t *testing.T, src, got []byte, p plan) {
	t.Helper()
	touched := map[int]bool{}
	s := workflow.NewSource(src)
	for _, e := range p.edits {
		if e.End > e.Start {
			l1, _ := s.Position(e.Start)
			l2, _ := s.Position(e.End)
			for l := l1; l <= l2; l++ {
				touched[l] = true
			}
		}
	}
	out := splitLines(got)
	k := 0
	for i, line := range splitLines(src) {
		if touched[i+1] {
			continue
		}
		for k < len(out) && out[k] != line {
			k++
		}
		if k == len(out) {
			t.Fatalf("line %d %q is not in the output unchanged", i+1, line)
		}
		k++
	}
}

// splitLines keeps each line's ending; a lone CR ends a line too, as it
// does for YAML and for the editor.
func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(b); i++ {
		if b[i] == '\n' || b[i] == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			out = append(out, string(b[start:i+1]))
			start = i + 1
		}
	}
	return append(out, string(b[start:]))
}

func lint(t *testing.T, src []byte) int {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(".github/workflows/x.yml", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(errs)
}
