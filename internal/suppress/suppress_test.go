package suppress

import (
	"strings"
	"testing"
)

type lines []string

func (l lines) Line(n int) string {
	if n < 1 || n > len(l) {
		return ""
	}
	return l[n-1]
}

func TestSuppressed(t *testing.T) {
	t.Parallel()
	src := lines(strings.Split(`permissions:
  contents: write # hardener: ignore[excessive-permissions] pushes tags
  # hardener: ignore[missing-permissions, unpinned-uses]
  issues: write
  pages: write # zizmor: ignore[excessive-permissions]
  - uses: a/b@v1 # zizmor: ignore[unpinned-uses]
  image: node:20 # zizmor: ignore[unpinned-images]
  image: node:20 # zizmor: ignore[unpinned-image]
  x: 1 # hardener: ignore[*]
  run: echo hi
  # zizmor: ignore[dangerous-triggers]
  on: pull_request_target
  y: 2 # hardener:ignore[artipacked]`, "\n"))
	cases := map[string]struct {
		line int
		rule string
		want bool
	}{
		"same line":                   {2, "excessive-permissions", true},
		"other rule":                  {2, "missing-permissions", false},
		"line above, list":            {4, "missing-permissions", true},
		"line above, second in list":  {4, "unpinned-uses", true},
		"line above, not listed":      {4, "excessive-permissions", false},
		"the comment line itself":     {3, "unpinned-uses", true},
		"zizmor audit":                {5, "excessive-permissions", true},
		"zizmor audit, shared name":   {5, "missing-permissions", true},
		"zizmor uses":                 {6, "unpinned-uses", true},
		"zizmor plural image audit":   {7, "unpinned-image", true},
		"zizmor with our spelling":    {8, "unpinned-image", false},
		"hardener star":               {9, "template-injection", true},
		"not after a code line":       {10, "template-injection", false},
		"zizmor line above":           {12, "dangerous-trigger", true},
		"no space after colon":        {13, "artipacked", true},
		"out of range":                {0, "artipacked", false},
		"zizmor comment, other audit": {12, "template-injection", false},
	}
	for name, c := range cases {
		if got := Suppressed(src, c.line, c.rule); got != c.want {
			t.Errorf("%s: line %d %s = %v, want %v", name, c.line, c.rule, got, c.want)
		}
	}
}

func TestZizmorStarIsNotHonoured(t *testing.T) {
	t.Parallel()
	// zizmor has no wildcard: a `*` there is not a suppression.
	if Names("x # zizmor: ignore[*]", "artipacked") {
		t.Error("zizmor wildcard honoured")
	}
}
