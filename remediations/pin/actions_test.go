package pin

import (
	"context"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/remediations"
)

// repoFiles is a small repository with repeated refs across workflows.
func repoFiles() map[string][]byte {
	return map[string][]byte{
		".github/workflows/ci.yml": []byte(`on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
      - uses: actions/checkout@v4.2.2
`),
		".github/workflows/release.yml": []byte(`on: push
jobs:
  build:
    uses: octo/reusable/.github/workflows/build.yml@v1
  publish:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@c200000000000000000000000000000000000000
      - uses: docker://node:20
`),
		".github/workflows/lint.yml": []byte(`on: pull_request
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v3
      - uses: tj-actions/changed-files@v45
      - uses: gone/missing@v1
      - uses: actions/checkout@c200000000000000000000000000000000000000
`),
	}
}

// TestRequestCount: on a cold cache each distinct owner/repo@ref is
// resolved once, and the HTTP requests are the resolver's minimum: per
// repository one tag list, one repository lookup (default branch) and one
// compare per distinct commit, plus what a finding needs (the annotated
// tag dereferenced, the branch list of the unreachable commit). A warm
// cache costs nothing.
func TestRequestCount(t *testing.T) {
	gh := universe(t)
	env := newEnv(repoFiles(), gh)
	counting := &countingResolver{r: env.Resolver, calls: map[string]int{}}
	res, err := pinActions(context.Background(), env, counting)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range counting.calls {
		if n != 1 {
			t.Errorf("%s asked %d times", k, n)
		}
	}
	wantCalls := []string{
		"resolve actions/checkout@v3", "resolve actions/checkout@v4", "resolve actions/checkout@v4.2.2",
		"resolve actions/setup-go@v5", "resolve gone/missing@v1", "resolve octo/reusable@v1",
		"resolve tj-actions/changed-files@v45", "tags actions/checkout@c200000000000000000000000000000000000000",
	}
	if got := keys(counting.calls); strings.Join(got, "\n") != strings.Join(wantCalls, "\n") {
		t.Errorf("resolver calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantCalls, "\n"))
	}
	reqs := gh.requests()
	sort.Strings(reqs)
	want := []string{
		"/repos/actions/checkout",
		"/repos/actions/checkout/compare/main...c100000000000000000000000000000000000000",
		"/repos/actions/checkout/compare/main...c200000000000000000000000000000000000000",
		"/repos/actions/checkout/git/matching-refs/tags/",
		"/repos/actions/setup-go",
		"/repos/actions/setup-go/compare/main...d100000000000000000000000000000000000000",
		"/repos/actions/setup-go/git/matching-refs/tags/",
		"/repos/actions/setup-go/git/tags/e100000000000000000000000000000000000000",
		"/repos/gone/missing/git/matching-refs/tags/",
		"/repos/octo/reusable",
		"/repos/octo/reusable/compare/main...f100000000000000000000000000000000000000",
		"/repos/octo/reusable/git/matching-refs/tags/",
		"/repos/tj-actions/changed-files",
		"/repos/tj-actions/changed-files/branches",
		"/repos/tj-actions/changed-files/compare/main...bad0000000000000000000000000000000000000",
		"/repos/tj-actions/changed-files/git/matching-refs/tags/",
	}
	if strings.Join(reqs, "\n") != strings.Join(want, "\n") {
		t.Errorf("%d requests:\n%s\nwant %d:\n%s", len(reqs), strings.Join(reqs, "\n"), len(want), strings.Join(want, "\n"))
	}
	t.Logf("cold cache: %d resolver calls, %d HTTP requests for %d changed files", len(counting.calls), len(reqs), len(res.Changes))

	// A second run with the same (now warm) resolver makes no request.
	before := len(gh.requests())
	env2 := newEnv(repoFiles(), nil)
	env2.Resolver = env.Resolver
	if _, err := (PinActions{}).Apply(context.Background(), env2); err != nil {
		t.Fatal(err)
	}
	if n := len(gh.requests()) - before; n != 0 {
		t.Errorf("warm cache made %d requests", n)
	}
}

// TestFixedKeys: Result.Fixed holds exactly the fingerprints of the
// unpinned-uses findings of a scan that the changes fix (not the ones left
// in notes).
func TestFixedKeys(t *testing.T) {
	gh := universe(t)
	env := newEnv(repoFiles(), gh)
	res, err := PinActions{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	scan := checks.Scan(context.Background(), env.Snapshot, checks.Options{Exempt: env.Exempted})
	var want []string
	for _, f := range scan.Findings {
		if f.Rule != checks.RuleUnpinnedUses {
			continue
		}
		if strings.Contains(f.Subject, "changed-files@v45") || strings.Contains(f.Subject, "gone/missing") {
			continue // left unchanged, reported as notes
		}
		want = append(want, f.Fingerprint())
	}
	got := append([]string(nil), res.Fixed...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Fixed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Notes) != 2 {
		t.Errorf("notes: %+v", res.Notes)
	}
	for _, s := range []string{"| `.github/workflows/ci.yml:7` | `- uses: actions/checkout@v4` | `- uses: actions/checkout@c200000000000000000000000000000000000000 # v4.2.2` |",
		"tj-actions/changed-files", "CVE-2025-30066", "Revert this commit", "Dependabot",
		"https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
		"**Left for review.**", "`.github/workflows/lint.yml:7`: tj-actions/changed-files@&#8203;v45 is not pinned"} {
		if !strings.Contains(res.Explanation, s) {
			t.Errorf("explanation lacks %q:\n%s", s, res.Explanation)
		}
	}
	if res.ID != "pin-actions" || res.Title == "" {
		t.Errorf("ID %q, Title %q", res.ID, res.Title)
	}
}

// TestOffline: without a resolver nothing is pinned, every remote ref is
// reported, and the notes still reach the caller.
func TestOffline(t *testing.T) {
	env := newEnv(repoFiles(), nil)
	res, err := PinActions{}.Apply(context.Background(), env)
	if !errors.Is(err, remediations.ErrNothingToFix) {
		t.Fatalf("err = %v, want ErrNothingToFix", err)
	}
	if res == nil || len(res.Changes) != 0 || len(res.Notes) != 10 {
		t.Fatalf("result %+v", res)
	}
	for _, n := range res.Notes {
		if !strings.Contains(n.Message, "offline") || n.File == "" || n.Line == 0 {
			t.Errorf("note %+v", n)
		}
	}
}

// TestExemptFlag: --exempt patterns leave matching refs alone.
func TestExemptFlag(t *testing.T) {
	gh := universe(t)
	env := newEnv(repoFiles(), gh)
	env.Exempt = []string{"actions/*", "tj-actions/changed-files", "gone/missing", "octo/reusable/*"}
	res, err := PinActions{}.Apply(context.Background(), env)
	if !errors.Is(err, remediations.ErrNothingToFix) || len(res.Notes) != 0 {
		t.Fatalf("err = %v, notes %+v", err, res.Notes)
	}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFixedVersionComments: corrected comments on pinned SHAs are reported
// with the fingerprints of the online ref-version-mismatch rule's findings.
func TestFixedVersionComments(t *testing.T) {
	src, err := os.ReadFile("testdata/comments.yml")
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(map[string][]byte{".github/workflows/comments.yml": src}, universe(t))
	res, err := PinActions{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	scan := checks.Scan(context.Background(), env.Snapshot, checks.Options{Checks: checks.Online(env.Resolver)})
	var want, got []string
	mismatch := map[string]bool{}
	for _, f := range scan.Findings {
		if f.Rule != checks.RuleRefVersionMismatch {
			continue
		}
		mismatch[f.Fingerprint()] = true
		// Line 16 says "# keep: audited": the rule reads any first word as a
		// version, while pin-actions leaves a comment without one alone.
		if f.Primary.Line != 16 {
			want = append(want, f.Fingerprint())
		}
	}
	for _, k := range res.Fixed {
		if mismatch[k] {
			got = append(got, k)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Fixed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
