package pin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/remediations"
)

// TestImagesOneLookupEach: an image used in several places and files is
// looked up once, and Fixed matches the unpinned-image findings.
func TestImagesOneLookupEach(t *testing.T) {
	env := newEnv(repoFiles(), nil)
	imgs := &fakeImages{}
	env.Images = imgs
	res, err := PinImages{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs.calls) != 1 || imgs.calls["node:20"] != 1 {
		t.Errorf("lookups %v, want node:20 once", imgs.calls)
	}
	if len(res.Changes) != 2 {
		t.Errorf("changes %d, want 2", len(res.Changes))
	}
	scan := checks.Scan(context.Background(), env.Snapshot, checks.Options{Exempt: env.Exempted})
	var want []string
	for _, f := range scan.Findings {
		if f.Rule == checks.RuleUnpinnedImage {
			want = append(want, f.Fingerprint())
		}
	}
	got := append([]string(nil), res.Fixed...)
	sort.Strings(got)
	sort.Strings(want)
	if len(want) != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Fixed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"### Pin container images to digests", "`container: node:20@sha256:", "How to undo"} {
		if !strings.Contains(res.Explanation, s) {
			t.Errorf("explanation lacks %q:\n%s", s, res.Explanation)
		}
	}
}

type brokenImages struct{ answer string }

func (b brokenImages) Digest(context.Context, string) (string, error) { return b.answer, nil }

// TestImagesUnresolvable: offline, a failing or a nonsensical answer
// leaves the image and reports it.
func TestImagesUnresolvable(t *testing.T) {
	tests := map[string]struct {
		images remediations.ImageResolver
		want   string
	}{
		"offline":       {nil, "offline"},
		"not a digest":  {brokenImages{"sha256:xyz"}, "not a sha256 digest"},
		"tag not found": {&fakeImages{}, "manifest unknown"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := "FROM node:20\n"
			if name == "tag not found" {
				src = "FROM octo/missing:1\n"
			}
			env := newEnv(map[string][]byte{"Dockerfile": []byte(src)}, nil)
			env.Images = tc.images
			res, err := PinImages{}.Apply(context.Background(), env)
			if !errors.Is(err, remediations.ErrNothingToFix) {
				t.Fatalf("err = %v", err)
			}
			if len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Message, tc.want) || res.Notes[0].Line != 1 {
				t.Errorf("notes %+v, want one about %q", res.Notes, tc.want)
			}
		})
	}
}

// TestExplanationCapped: a huge change set keeps the explanation under
// the 65,535-character limit of check runs and PR bodies.
func TestExplanationCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n")
	for range 400 {
		b.WriteString("      - uses: actions/checkout@v4\n")
	}
	env := newEnv(map[string][]byte{".github/workflows/big.yml": []byte(b.String())}, universe(t))
	res, err := PinActions{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Explanation); n > 65535 || !strings.Contains(res.Explanation, fmt.Sprintf("and %d more lines", 400-maxRows)) {
		t.Errorf("explanation of %d characters:\n%s", n, res.Explanation[len(res.Explanation)-800:])
	}
}
