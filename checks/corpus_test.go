package checks

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/repo"
)

// The corpus under testdata/corpus is a set of small repositories, one per
// directory, written in the shapes real projects use. Expected findings
// are annotated where they are:
//
//	run: echo ${{ github.head_ref }}   # expect: template-injection
//	- name: x                           # expect+2: template-injection
//	// expect: rule-a, rule-a          (two findings; also in scripts)
//
// `expect+N` names the line N below. Findings at files that do not exist
// (a missing SECURITY.md) are listed in the directory's EXPECT file as
// `rule path:line`.
const corpusDir = "testdata/corpus"

// notMeasured are rules measured by the permissions corpus instead.
var notMeasured = map[string]bool{RuleExcessivePermissions: true, RuleMissingPermissions: true}

var expectMark = regexp.MustCompile(`(?:#|//)\s*expect(\+\d+)?:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)`)

type place struct {
	rule, file string
	line       int
}

func (p place) String() string { return fmt.Sprintf("%s %s:%d", p.rule, p.file, p.line) }

// corpusExpectations reads the annotations of one case directory.
func corpusExpectations(t *testing.T, dir string) map[place]int {
	t.Helper()
	return readMarks(t, dir, expectMark)
}

// readMarks reads the annotations mark finds in one case directory (the
// first group is the optional +N, the second the rule list), and the
// directory's EXPECT file.
func readMarks(t *testing.T, dir string, mark *regexp.Regexp) map[place]int {
	t.Helper()
	want := map[place]int{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "EXPECT" {
			if mark != expectMark {
				return nil
			}
			for _, l := range strings.Split(string(b), "\n") {
				if f := strings.Fields(l); len(f) == 2 {
					file, line, _ := strings.Cut(f[1], ":")
					n, _ := strconv.Atoi(line)
					want[place{f[0], file, n}]++
				}
			}
			return nil
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for n := 1; sc.Scan(); n++ {
			for _, m := range mark.FindAllStringSubmatch(sc.Text(), -1) {
				at := n
				if m[1] != "" {
					k, _ := strconv.Atoi(m[1][1:])
					at += k
				}
				for _, r := range strings.Split(m[2], ",") {
					want[place{strings.TrimSpace(r), rel, at}]++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

type score struct{ tp, fp, fn int }

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestCorpusPrecisionRecall scans every corpus repository and scores each
// rule against the annotations: it fails when a rule's precision or recall
// drops below 0.9, or when a rule has no positive case. Run with -v for
// the table.
func TestCorpusPrecisionRecall(t *testing.T) {
	cases, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]*score{}
	for _, c := range All() { // the offline rules; the online ones need the API
		if !notMeasured[c.ID()] {
			scores[c.ID()] = &score{}
		}
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		dir := filepath.Join(corpusDir, c.Name())
		want := corpusExpectations(t, dir)
		res := Scan(context.Background(), repo.New(os.DirFS(dir), dir), Options{})
		for _, e := range res.Errors {
			t.Errorf("%s: %s: %s", c.Name(), e.File, e.Message)
		}
		got := map[place]int{}
		for _, f := range res.Findings {
			if !notMeasured[f.Rule] {
				got[place{f.Rule, f.Primary.File, f.Primary.Line}]++
			}
		}
		for p, n := range got {
			s := scoreFor(scores, p.rule)
			tp := min(n, want[p])
			s.tp += tp
			s.fp += n - tp
			if n > tp {
				t.Logf("%s: unexpected %s (%d)", c.Name(), p, n-tp)
			}
		}
		for p, n := range want {
			if miss := n - min(n, got[p]); miss > 0 {
				scoreFor(scores, p.rule).fn += miss
				t.Logf("%s: missed %s (%d)", c.Name(), p, miss)
			}
		}
	}
	var ids []string
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s %5s %5s %5s %9s %7s\n", "rule", "TP", "FP", "FN", "precision", "recall")
	for _, id := range ids {
		s := scores[id]
		fmt.Fprintf(&b, "%-28s %5d %5d %5d %9.2f %7.2f\n", id, s.tp, s.fp, s.fn, s.precision(), s.recall())
		if s.tp+s.fn == 0 {
			t.Errorf("%s has no positive case in the corpus", id)
		}
		if s.precision() < 0.9 || s.recall() < 0.9 {
			t.Errorf("%s: precision %.2f, recall %.2f (want both ≥ 0.90)", id, s.precision(), s.recall())
		}
	}
	t.Log(b.String())
}

func scoreFor(m map[string]*score, rule string) *score {
	if m[rule] == nil {
		m[rule] = &score{}
	}
	return m[rule]
}
