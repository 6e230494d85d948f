package checks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/repo"
)

// The held-out corpus under testdata/heldout was written apart from the
// rules, from GitHub's documented semantics and the shapes other auditors
// test, to measure the rules on cases their authors did not tune them to.
// It uses the corpus annotations (`# expect: rule`, `# expect+N: rule`,
// EXPECT files) and one more: `# quiet: rule` (or `quiet+N`) marks a line
// that must not get that rule, a true negative worth stating because a
// careless rule would flag it. Unlike testdata/corpus it measures every
// offline rule, the permission rules included. See testdata/heldout/README.md.
const heldoutDir = "testdata/heldout"

var quietMark = regexp.MustCompile(`(?:#|//)\s*quiet(\+\d+)?:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)`)

// heldoutMin is the precision and recall every rule with at least
// heldoutMinCases labelled lines must reach.
const (
	heldoutMin      = 0.9
	heldoutMinCases = 5
)

type heldoutScore struct {
	score
	quiet int // lines marked quiet for the rule
}

// TestHeldOutPrecisionRecall scans every held-out repository and scores
// each rule against the annotations; run with -v for the table and the
// misses.
func TestHeldOutPrecisionRecall(t *testing.T) {
	cases, err := os.ReadDir(heldoutDir)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	scores := map[string]*heldoutScore{}
	for _, c := range All() { // the offline rules; the online ones need the API
		known[c.ID()] = true
		scores[c.ID()] = &heldoutScore{}
	}
	var misses []string
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		dir := filepath.Join(heldoutDir, c.Name())
		want := readMarks(t, dir, expectMark)
		quiet := readMarks(t, dir, quietMark)
		for p := range want {
			if !known[p.rule] {
				t.Errorf("%s: %s: no such offline rule", c.Name(), p)
			}
		}
		for p := range quiet {
			if !known[p.rule] {
				t.Errorf("%s: %s: no such offline rule", c.Name(), p)
			}
			if want[p] > 0 {
				t.Errorf("%s: %s is both expected and quiet", c.Name(), p)
			}
			scores[p.rule].quiet++
		}
		res := Scan(context.Background(), repo.New(os.DirFS(dir), dir), Options{})
		for _, e := range res.Errors {
			t.Errorf("%s: %s: %s", c.Name(), e.File, e.Message)
		}
		got := map[place][]Finding{}
		for _, f := range res.Findings {
			p := place{f.Rule, f.Primary.File, f.Primary.Line}
			got[p] = append(got[p], f)
		}
		for p, fs := range got {
			s := scores[p.rule]
			tp := min(len(fs), want[p])
			s.tp += tp
			s.fp += len(fs) - tp
			for _, f := range fs[tp:] {
				kind := "unexpected"
				if quiet[p] > 0 {
					kind = "flagged a quiet line"
				}
				misses = append(misses, fmt.Sprintf("%s: %s %s:%d:%d: %s", kind, p.rule, filepath.Join(c.Name(), p.file), p.line, f.Primary.Column, f.Message))
			}
		}
		for p, n := range want {
			if miss := n - min(n, len(got[p])); miss > 0 {
				scores[p.rule].fn += miss
				misses = append(misses, fmt.Sprintf("missed (%d): %s %s:%d", miss, p.rule, filepath.Join(c.Name(), p.file), p.line))
			}
		}
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	var labelled int
	fmt.Fprintf(&b, "\n%-28s %5s %5s %5s %5s %9s %7s\n", "rule", "TP", "FP", "FN", "quiet", "precision", "recall")
	for _, id := range ids {
		s := scores[id]
		labelled += s.tp + s.fn + s.quiet
		fmt.Fprintf(&b, "%-28s %5d %5d %5d %5d %9.2f %7.2f\n", id, s.tp, s.fp, s.fn, s.quiet, s.precision(), s.recall())
		if s.tp+s.fn+s.quiet < heldoutMinCases {
			continue
		}
		if s.precision() < heldoutMin || s.recall() < heldoutMin {
			t.Errorf("%s: precision %.2f, recall %.2f (want both ≥ %.2f)", id, s.precision(), s.recall(), heldoutMin)
		}
	}
	fmt.Fprintf(&b, "%d labelled lines\n", labelled)
	t.Log(b.String())
}
