package pin

import (
	"context"
	"strings"
	"testing"
)

// TestSuppressedPlacesStayAsTheyAre: a suppression comment for the rule a
// fix answers (Hardener's, or zizmor's for the same audit) stops that fix
// at that place, as it stops the finding; the places around it are fixed.
func TestSuppressedPlacesStayAsTheyAre(t *testing.T) {
	files := map[string][]byte{
		".github/workflows/ci.yml": []byte(`on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: node:20 # zizmor: ignore[unpinned-images] the team tracks node:20
    services:
      db:
        # hardener: ignore[unpinned-image]
        image: node:20
      cache:
        image: node:20
    steps:
      - uses: actions/checkout@v4 # hardener: ignore[unpinned-uses]
      # zizmor: ignore[unpinned-uses]
      - uses: actions/setup-go@v5
      - uses: actions/checkout@v3
      - uses: actions/checkout@c200000000000000000000000000000000000000 # hardener: ignore[ref-version-mismatch]
`),
		"Dockerfile": []byte("# hardener: ignore[unpinned-image]\nFROM node:20\nFROM node:20 AS second\n"),
	}
	env := newEnv(files, universe(t))
	res, err := PinActions{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Changes[0].After)
	for _, keep := range []string{"actions/checkout@v4 # hardener", "actions/setup-go@v5\n",
		"actions/checkout@c200000000000000000000000000000000000000 # hardener: ignore[ref-version-mismatch]\n"} {
		if !strings.Contains(got, keep) {
			t.Errorf("a suppressed ref was changed; want %q in:\n%s", keep, got)
		}
	}
	if !strings.Contains(got, "actions/checkout@"+sha("c1")+" # v3.5.1") {
		t.Errorf("the ref without a suppression was not pinned:\n%s", got)
	}

	env.Images = &fakeImages{}
	res, err = PinImages{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]string{}
	for _, c := range res.Changes {
		byPath[c.Path] = string(c.After)
	}
	wf := byPath[".github/workflows/ci.yml"]
	if strings.Count(wf, "node:20@sha256:") != 1 || !strings.Contains(wf, "      cache:\n        image: node:20@sha256:") {
		t.Errorf("want only the cache service pinned:\n%s", wf)
	}
	df := byPath["Dockerfile"]
	if !strings.Contains(df, "\nFROM node:20\n") || !strings.Contains(df, "FROM node:20@sha256:") {
		t.Errorf("want only the second FROM pinned:\n%s", df)
	}
}
