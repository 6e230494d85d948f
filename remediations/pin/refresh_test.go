package pin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// digest makes a sha256 digest of one repeated hex character.
func digest(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// tagImages answers digests from a table of tags and counts the lookups.
type tagImages struct {
	mu    sync.Mutex
	tags  map[string]string
	calls map[string]int
}

func newTagImages() *tagImages {
	return &tagImages{calls: map[string]int{}, tags: map[string]string{
		"node:20": digest("1"), "redis:7": digest("2"), "postgres:16": digest("3"), "ghcr.io/acme/lint:1.2": digest("4"),
	}}
}

func (f *tagImages) Digest(_ context.Context, image string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[image]++
	if d, ok := f.tags[image]; ok {
		return d, nil
	}
	return "", registry.ErrNotFound
}

// refreshCases are the inputs of testdata/refresh, named like those of
// TestGolden.
func refreshCases(t testing.TB) []testCase {
	dir := filepath.Join("testdata", "refresh")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []testCase
	for _, e := range entries {
		n := e.Name()
		if strings.Contains(n, ".golden.") || strings.HasSuffix(n, ".notes") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		c := testCase{name: n, src: src}
		if base, ok := strings.CutSuffix(n, ".action.yml"); ok {
			c.path, c.golden = "actions/"+base+"/action.yml", base+".action.golden.yml"
		} else {
			base := strings.TrimSuffix(n, ".yml")
			c.path, c.golden = ".github/workflows/"+n, base+".golden.yml"
		}
		out = append(out, c)
	}
	return out
}

// TestRefreshGolden refreshes every input of testdata/refresh against the
// fake upstream repositories and the digest table, and compares with
// name.golden.yml; an input without one must come out byte for byte
// unchanged. Only the digests and version tokens may change.
func TestRefreshGolden(t *testing.T) {
	gh := universe(t)
	for _, c := range refreshCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if _, err := workflow.Parse(c.path, c.src); err != nil {
				t.Fatalf("input does not parse: %v", err)
			}
			env := newEnv(map[string][]byte{c.path: c.src}, gh)
			env.Images = newTagImages()
			res, err := Refresh{}.Apply(context.Background(), env)
			if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
				t.Fatal(err)
			}
			got := c.src
			if err == nil {
				if len(res.Changes) != 1 || res.Changes[0].Path != c.path || res.Explanation == "" || res.ID != checks.FixRefresh {
					t.Fatalf("result %+v", res)
				}
				got = res.Changes[0].After
			}
			goldenPath := filepath.Join("testdata", "refresh", c.golden)
			if *update {
				writeOrRemove(t, goldenPath, got, !bytes.Equal(got, c.src))
				return
			}
			want, rerr := os.ReadFile(goldenPath)
			if errors.Is(rerr, os.ErrNotExist) {
				want = c.src
			} else if rerr != nil {
				t.Fatal(rerr)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", goldenPath, got, want)
			}
			if len(res.Notes) > 0 {
				t.Errorf("notes: %s", formatNotes(res.Notes))
			}
			assertOnlyPinsChanged(t, c.src, got)
		})
	}
}

// assertOnlyPinsChanged checks that every changed byte run lies inside a
// digest or a version token: the same length of hex, or a version where
// a version was.
func assertOnlyPinsChanged(t *testing.T, before, after []byte) {
	t.Helper()
	bl, al := strings.SplitAfter(string(before), "\n"), strings.SplitAfter(string(after), "\n")
	if len(bl) != len(al) {
		t.Fatalf("line count changed: %d → %d", len(bl), len(al))
	}
	for i := range bl {
		if bl[i] == al[i] {
			continue
		}
		b, a := bl[i], al[i]
		p := 0
		for p < len(b) && p < len(a) && b[p] == a[p] {
			p++
		}
		s := 0
		for s < len(b)-p && s < len(a)-p && b[len(b)-1-s] == a[len(a)-1-s] {
			s++
		}
		// Widen the difference to whole tokens: "09" → "v9.9.9" differs
		// from its second byte on, but the token is the version.
		for p > 0 && tokenChar(b[p-1]) {
			p--
		}
		for s > 0 && tokenChar(b[len(b)-s]) {
			s--
		}
		old, nw := b[p:len(b)-s], a[p:len(a)-s]
		hexRun := len(old) == len(nw) && isHex(old) && isHex(nw)
		version := versionToken.MatchString(" "+strings.Trim(old, "v")+" ") && versionToken.MatchString(" "+strings.Trim(nw, "v")+" ")
		if !hexRun && !version {
			t.Errorf("line %d: %q → %q changes more than a digest or a version", i+1, old, nw)
		}
	}
}

func tokenChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-'
}

// TestRefreshLookups: each distinct tag and each distinct pinned commit is
// asked about once per run, and nothing is asked about what is not a
// tagged pin.
func TestRefreshLookups(t *testing.T) {
	gh := universe(t)
	var files = map[string][]byte{}
	for _, c := range refreshCases(t) {
		files[c.path] = c.src
	}
	env := newEnv(files, gh)
	imgs := newTagImages()
	env.Images = imgs
	res, err := Refresh{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"node:20": 1, "redis:7": 1, "postgres:16": 1, "ghcr.io/acme/lint:1.2": 1}
	if len(imgs.calls) != len(want) {
		t.Errorf("image lookups %v, want %v", imgs.calls, want)
	}
	for k, n := range want {
		if imgs.calls[k] != n {
			t.Errorf("image lookups %v, want %v", imgs.calls, want)
		}
	}
	if len(res.Changes) != 5 {
		t.Errorf("%d files changed, want 5 (all but untouched.yml)", len(res.Changes))
	}
	// The explanation's table lists the changed lines, tag kept.
	for _, s := range []string{"### Refresh pins", "`container: node:20@" + digest("1") + "`", "How to undo"} {
		if !strings.Contains(res.Explanation, s) {
			t.Errorf("explanation lacks %q:\n%s", s, res.Explanation)
		}
	}
	tags := 0
	for _, r := range gh.requests() {
		if strings.Contains(r, "matching-refs") {
			tags++
		}
	}
	if tags != 2 { // actions/checkout and actions/setup-go, once each
		t.Errorf("tag lists fetched %d times, want 2: %v", tags, gh.requests())
	}
}

// TestRefreshNotes: what cannot be refreshed is said, once per place.
func TestRefreshNotes(t *testing.T) {
	src := "on: push\njobs:\n  a:\n    runs-on: x\n    container: octo/gone:1@" + digest("0") + "\n    services:\n" +
		"      db: {image: \"postgres:16@" + digest("0") + "\"}\n    steps:\n" +
		"      - uses: octo/reusable@" + sha("f2") + " # v1.0.3\n"
	tests := map[string]struct {
		images    remediations.ImageResolver
		pinAction bool
		want      []string
	}{
		"registry errors": {images: newTagImages(), pinAction: true,
			want: []string{"5: image octo/gone:1 was not refreshed: image not found"}},
		"offline": {pinAction: true, want: []string{
			"5: image octo/gone:1 was not refreshed: no registry access (offline)",
			"7: image postgres:16 was not refreshed: no registry access (offline)"}},
		// Without pin-actions, refresh is the one that reports comments it
		// cannot correct.
		"pin-actions off": {images: newTagImages(), want: []string{
			"5: image octo/gone:1 was not refreshed: image not found",
			"9: the comment of octo/reusable@" + sha("f2") + " says v1.0.3, but no tag of octo/reusable points at that commit"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := newEnv(map[string][]byte{".github/workflows/w.yml": []byte(src)}, universe(t))
			env.Images = tc.images
			env.Config.Remediations[checks.FixPinActions] = tc.pinAction
			res, err := Refresh{}.Apply(context.Background(), env)
			if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
				t.Fatal(err)
			}
			var got []string
			for _, n := range res.Notes {
				got = append(got, strings.TrimSpace(formatNotes([]remediations.Note{n})))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestRefreshLeavesRenovateAlone: a repository that Renovate keeps up to
// date gets nothing from refresh, and no registry is asked.
func TestRefreshLeavesRenovateAlone(t *testing.T) {
	for _, cfg := range []struct{ path, body string }{
		{"renovate.json", "{}"},
		{"package.json", `{"name": "x", "renovate": {"extends": ["config:recommended"]}}`},
	} {
		files := map[string][]byte{cfg.path: []byte(cfg.body),
			".github/workflows/w.yml": []byte("on: push\njobs:\n  a:\n    runs-on: x\n    container: node:20@" + digest("0") + "\n    steps: [{run: make}]\n")}
		env := newEnv(files, nil)
		imgs := newTagImages()
		env.Images = imgs
		res, err := Refresh{}.Apply(context.Background(), env)
		if !errors.Is(err, remediations.ErrNothingToFix) || len(res.Changes) != 0 || len(imgs.calls) != 0 {
			t.Errorf("%s: err %v, changes %d, lookups %v", cfg.path, err, len(res.Changes), imgs.calls)
		}
	}
}

// TestRefreshExempt: an exempted image or action is not looked at.
func TestRefreshExempt(t *testing.T) {
	src := "on: push\njobs:\n  a:\n    runs-on: x\n    container: node:20@" + digest("0") + "\n    steps:\n" +
		"      - uses: actions/checkout@" + sha("c2") + " # v3\n"
	env := newEnv(map[string][]byte{".github/workflows/w.yml": []byte(src)}, universe(t))
	imgs := newTagImages()
	env.Images = imgs
	env.Exempt = []string{"node", "actions/*"}
	res, err := Refresh{}.Apply(context.Background(), env)
	if !errors.Is(err, remediations.ErrNothingToFix) || len(imgs.calls) != 0 || len(res.Notes) != 0 {
		t.Errorf("err %v, lookups %v, notes %v", err, imgs.calls, res.Notes)
	}
}

// stubImages gives every tag the same digest.
type stubImages struct{}

func (stubImages) Digest(context.Context, string) (string, error) { return digest("a"), nil }

// FuzzRefresh refreshes any workflow bytes: it must not panic, an input
// that parsed must still parse, and only digests and version tokens may
// change.
func FuzzRefresh(f *testing.F) {
	for _, c := range refreshCases(f) {
		if !strings.Contains(c.path, "action.yml") {
			f.Add(c.src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const path = ".github/workflows/fuzz.yml"
		_, perr := workflow.Parse(path, src)
		env := &remediations.Env{Snapshot: snapshotOf(path, src), Config: config.Default(), Images: stubImages{}}
		env.Config.Remediations[checks.FixPinActions] = false
		res, err := refresh(context.Background(), env, stubResolver{})
		if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
			t.Fatal(err)
		}
		for _, n := range res.Notes {
			if strings.Contains(n.Message, "would not be valid") {
				t.Fatalf("an edit broke the file: %s\n%q", n.Message, src)
			}
		}
		if perr != nil {
			if len(res.Changes) > 0 {
				t.Fatalf("changed a file that does not parse: %v", perr)
			}
			return
		}
		for _, ch := range res.Changes {
			if _, err := workflow.Parse(path, ch.After); err != nil {
				t.Fatalf("result does not parse: %v\n%s", err, ch.After)
			}
			assertOnlyPinsChanged(t, src, ch.After)
		}
	})
}

// BenchmarkRefresh50 refreshes a 50-workflow repository whose images and
// version comments are all stale, with warm caches: parsing, planning,
// splicing and re-parsing every file.
func BenchmarkRefresh50(b *testing.B) {
	gh := universe(b)
	files := map[string][]byte{}
	for i := range 50 {
		files[fmt.Sprintf(".github/workflows/wf%02d.yml", i)] = []byte(fmt.Sprintf("name: wf%d\non: push\njobs:\n"+
			"  build:\n    runs-on: ubuntu-latest\n    container: node:20@%s\n    services:\n      db: {image: 'postgres:16@%s'}\n"+
			"    steps:\n      - uses: actions/checkout@%s # v3.5.1\n      - uses: docker://ghcr.io/acme/lint:1.2@%s\n      - run: make\n",
			i, digest("0"), digest("0"), sha("c2"), digest("0")))
	}
	warm := newEnv(files, gh)
	imgs := newTagImages()
	warm.Images = imgs
	if _, err := (Refresh{}).Apply(context.Background(), warm); err != nil {
		b.Fatal(err)
	}
	cold := len(gh.requests())
	b.ReportAllocs()
	for b.Loop() {
		env := newEnv(files, nil)
		env.Resolver, env.Images = warm.Resolver, imgs
		res, err := Refresh{}.Apply(context.Background(), env)
		if err != nil || len(res.Changes) != 50 {
			b.Fatalf("err %v, %d changes", err, len(res.Changes))
		}
	}
	if n := len(gh.requests()); n != cold {
		b.Fatalf("warm runs made %d requests", n-cold)
	}
}
