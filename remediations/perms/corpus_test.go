package perms

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/knowledge"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// annotation is what a corpus job's key line says about it.
type annotation struct {
	needs   knowledge.Grant // nil when the needs are unknown
	outcome string          // narrowed, unchanged or review
}

var annotationRe = regexp.MustCompile(`#\s*needs:\s*([^|]*)\|\s*(narrowed|unchanged|review)\s*$`)

// annotationOf reads `# needs: contents: write, id-token: write | narrowed`.
func annotationOf(t *testing.T, line string) annotation {
	t.Helper()
	m := annotationRe.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("job line without a needs annotation: %q", line)
	}
	a := annotation{outcome: m[2]}
	switch list := strings.TrimSpace(m[1]); list {
	case "unknown":
	case "nothing":
		a.needs = knowledge.Grant{}
	default:
		a.needs = knowledge.Grant{}
		for _, item := range strings.Split(list, ",") {
			scope, level, ok := strings.Cut(strings.TrimSpace(item), ":")
			if !ok {
				t.Fatalf("bad needs item %q", item)
			}
			a.needs[strings.TrimSpace(scope)] = strings.TrimSpace(level)
		}
	}
	return a
}

// corpusRun is the fix applied to one corpus repository.
type corpusRun struct {
	before, after *repo.Snapshot
	res           *remediations.Result
	mode          string
}

func runCorpus(t testing.TB, dir string) corpusRun {
	t.Helper()
	mode := "write"
	if strings.HasPrefix(filepath.Base(dir), "read-default") {
		mode = "read"
	}
	snap := repo.New(os.DirFS(dir), "")
	res, err := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: snap, DefaultTokenPermissions: mode,
		Findings: checks.Scan(context.Background(), snap, checks.Options{}).Findings})
	if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
		t.Fatal(err)
	}
	if res == nil {
		res = &remediations.Result{}
	}
	changed := map[string][]byte{}
	for _, c := range res.Changes {
		changed[c.Path] = c.After
	}
	return corpusRun{before: snap, after: repo.Overlay(snap, changed), res: res, mode: mode}
}

// TestCorpus applies the fix to every corpus repository and checks each
// job against its annotation: its token after the fix covers what it
// needs, it never gets more than it had, jobs marked for review are left
// exactly as they were and are listed, and the outcome is the one
// annotated. The fixed files lint no worse, and a second run changes
// nothing.
func TestCorpus(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/corpus/*")
	counts := map[string]int{}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			run := runCorpus(t, dir)
			rb := knowledge.NewRepo(run.before, checks.Load(run.before).Files, run.mode)
			ra := knowledge.NewRepo(run.after, checks.Load(run.after).Files, run.mode)
			afterFiles := map[string]*workflow.File{}
			for _, f := range checks.Load(run.after).Files {
				afterFiles[f.Path] = f
			}
			jobs := 0
			for _, f := range checks.Load(run.before).Files {
				if f.Workflow == nil {
					continue
				}
				af := afterFiles[f.Path]
				if af == nil {
					t.Fatalf("%s does not parse after the fix", f.Path)
				}
				for i, j := range f.Workflow.Jobs {
					jobs++
					a := annotationOf(t, f.Source.Line(j.Key.Line))
					was := rb.Effective(f, j).Grant
					now := ra.Effective(af, af.Workflow.Jobs[i]).Grant
					where := f.Path + " job " + j.ID
					if a.needs != nil && !was.Covers(a.needs) {
						t.Errorf("%s: the corpus is wrong: before the fix it has %s, needs %s", where, was, a.needs)
					}
					if a.needs != nil && !now.Covers(a.needs) {
						t.Errorf("%s lost a scope it needs: has %s, needs %s", where, now, a.needs)
					}
					if !was.Covers(now) {
						t.Errorf("%s was widened: %s → %s", where, was, now)
					}
					switch a.outcome {
					case "narrowed":
						if now.Equal(was) {
							t.Errorf("%s was not narrowed: %s", where, now)
						}
					case "unchanged", "review":
						if !now.Equal(was) {
							t.Errorf("%s changed: %s → %s", where, was, now)
						}
					}
					if reviewed := noted(run.res, f.Path, j.ID); reviewed != (a.outcome == "review") {
						t.Errorf("%s: listed for review = %v, annotated %s", where, reviewed, a.outcome)
					}
					counts[a.outcome]++
				}
			}
			if jobs == 0 {
				t.Fatal("no jobs")
			}
			for _, c := range run.res.Changes {
				if lint(t, c.After) > lint(t, c.Before) {
					t.Errorf("%s: actionlint finds new errors:\n%s", c.Path, c.After)
				}
			}
			again := runCorpus2(t, run)
			if len(again.Changes) != 0 {
				t.Errorf("a second run changes %s", again.Changes[0].Path)
			}
		})
	}
	t.Logf("corpus: %d jobs narrowed, %d unchanged, %d left for review", counts["narrowed"], counts["unchanged"], counts["review"])
}

// runCorpus2 applies the fix again to a fixed repository.
func runCorpus2(t *testing.T, run corpusRun) *remediations.Result {
	t.Helper()
	res, err := Permissions{}.Apply(context.Background(), &remediations.Env{Snapshot: run.after, DefaultTokenPermissions: run.mode})
	if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
		t.Fatal(err)
	}
	if res == nil {
		return &remediations.Result{}
	}
	return res
}

// noted reports whether a job was listed for review.
func noted(res *remediations.Result, file, job string) bool {
	for _, n := range res.Notes {
		if n.File == file && strings.Contains(n.Message, "job \""+job+"\" left as it is") {
			return true
		}
	}
	return false
}

// TestCorpusExplanations: each narrowed scope of the corpus appears in the
// explanation with its before and after levels and a proof.
func TestCorpusExplanations(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/corpus/*")
	sort.Strings(dirs)
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		run := runCorpus(t, dir)
		if len(run.res.Changes) == 0 {
			continue
		}
		if os.Getenv("SHOW") != "" {
			t.Logf("%s:\n%s", dir, run.res.Explanation)
		}
		if !strings.Contains(run.res.Explanation, "**Why each scope could go.**") {
			t.Errorf("%s: the explanation does not say why scopes went:\n%s", dir, run.res.Explanation)
		}
		for _, line := range strings.Split(run.res.Explanation, "\n") {
			if strings.HasPrefix(line, "  - `") && !regexp.MustCompile(`: (read|write) → (read|none): \S`).MatchString(line) {
				t.Errorf("%s: narrowing line without before, after and proof: %q", dir, line)
			}
		}
	}
}

// TestExplanationGolden renders the explanation of some corpus
// repositories and compares it with testdata/explanation/<name>.golden.md
// (-update rewrites them): the narrowed scopes with their proofs, what is
// kept and why, and what is left for review.
func TestExplanationGolden(t *testing.T) {
	for _, name := range []string{"commented", "gh-env", "oidc-publish", "reusable", "composite", "shorthand", "persisted-push"} {
		t.Run(name, func(t *testing.T) {
			run := runCorpus(t, filepath.Join("testdata", "corpus", name))
			got := run.res.Explanation
			golden := filepath.Join("testdata", "explanation", name+".golden.md")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("explanation differs from %s:\n%s", golden, got)
			}
		})
	}
}
