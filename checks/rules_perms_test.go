package checks

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

// permFindings scans files and returns the permission findings as
// "rule file:line:col severity", sorted, with their messages.
func permFindings(t *testing.T, files map[string]string) ([]string, []Finding) {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	res := Scan(context.Background(), repo.New(fsys, ""), Options{})
	var rows []string
	var out []Finding
	for _, f := range res.Findings {
		if f.Rule != RuleMissingPermissions && f.Rule != RuleExcessivePermissions {
			continue
		}
		rows = append(rows, fmt.Sprintf("%s %s:%d:%d %s", f.Rule, f.Primary.File, f.Primary.Line, f.Primary.Column, f.Severity))
		out = append(out, f)
	}
	sort.Strings(rows)
	return rows, out
}

const (
	permWF     = ".github/workflows/w.yml"
	permCallee = ".github/workflows/called.yml"
)

func TestPermissionRules(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		files map[string]string
		want  []string
		// says are phrases some finding's message must contain; never
		// phrases none may.
		says, never []string
	}{
		"single job uses the workflow's write: nothing to move": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: write
jobs:
  tag:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - run: git push --tags
`}},
		"single job with unknown needs: nothing proven": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: write
jobs:
  a:
    runs-on: x
    steps:
      - uses: someone/else@v1
`}},
		"single job that does not use the write": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: read
  issues: write
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`},
			want: []string{"excessive-permissions .github/workflows/w.yml:4:11 medium"},
			says: []string{`inherited by job "a"; job "a" does not use it; lower it to read`}, never: []string{"every job"}},
		"jobs with their own blocks do not inherit": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: write
jobs:
  a:
    runs-on: x
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
`}},
		"write reaching jobs that do not use it": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: write
jobs:
  test:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
  lint:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
  release:
    runs-on: x
    steps:
      - uses: softprops/action-gh-release@v2
  own:
    runs-on: x
    permissions: {}
`},
			want: []string{"excessive-permissions .github/workflows/w.yml:3:13 medium"},
			says: []string{`inherited by jobs "test", "lint", "release"`, `jobs "test", "lint" do not use it`,
				`grant it only to job "release", in a job-level block`}, never: []string{"every job", `"own"`}},
		"commented workflow write is the maintainer's": {
			files: map[string]string{permWF: `on: push
permissions:
  contents: write # the changelog job pushes
jobs:
  test:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
  other:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`},
			want: []string{"excessive-permissions .github/workflows/w.yml:3:13 info"},
			says: []string{"a comment documents it"}},
		"a suppression on the block key covers its grants": {
			files: map[string]string{permWF: `on: push
permissions: {}
jobs:
  a:
    runs-on: x
    permissions: # zizmor: ignore[excessive-permissions]
      contents: write
    steps:
      - uses: actions/checkout@v4
`}},
		"id-token with a run step is needed": {
			files: map[string]string{permWF: `on: push
permissions: {}
jobs:
  publish:
    runs-on: x
    permissions:
      id-token: write
      contents: read
    steps:
      - run: npm publish
`}},
		"id-token with OIDC-free actions only": {
			files: map[string]string{permWF: `on: push
permissions: {}
jobs:
  lint:
    runs-on: x
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: actions/checkout@v4
`},
			want: []string{"excessive-permissions .github/workflows/w.yml:7:17 low"}},
		"called-only workflow is its callers' business": {
			files: map[string]string{permCallee: `on: workflow_call
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`, permWF: `on: push
permissions:
  contents: read
jobs:
  call:
    uses: ./.github/workflows/called.yml
`}},
		"caller passing the default on": {
			files: map[string]string{permCallee: `on:
  workflow_call:
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`, permWF: `on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
  build:
    runs-on: x
`},
			want: []string{"missing-permissions .github/workflows/w.yml:4:11 medium", "missing-permissions .github/workflows/w.yml:5:3 medium"},
			says: []string{"the called workflow's jobs get the default"}},
		"workflow that can also run on its own": {
			files: map[string]string{permCallee: `on: [workflow_call, workflow_dispatch]
jobs:
  a:
    runs-on: x
`},
			want: []string{"missing-permissions .github/workflows/called.yml:3:3 medium"}},
		"caller grants more than the called jobs need": {
			files: map[string]string{permCallee: `on: workflow_call
jobs:
  publish:
    runs-on: x
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
`, permWF: `on: push
permissions: {}
jobs:
  call:
    uses: ./.github/workflows/called.yml
    permissions:
      id-token: write
      packages: write
      contents: write # hardener: ignore[excessive-permissions]
`},
			want: []string{"excessive-permissions .github/workflows/w.yml:5:11 low"},
			says: []string{`job "call" grants packages: write to ./.github/workflows/called.yml, whose jobs need nothing of it`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, findings := permFindings(t, c.files)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
			var msgs []string
			for _, f := range findings {
				msgs = append(msgs, f.Message)
			}
			all := strings.Join(msgs, "\n")
			for _, s := range c.says {
				if !strings.Contains(all, s) {
					t.Errorf("no message says %q:\n%s", s, all)
				}
			}
			for _, s := range c.never {
				if strings.Contains(all, s) {
					t.Errorf("a message says %q:\n%s", s, all)
				}
			}
		})
	}
}

// TestCallFindingsPointAtBothEnds: a finding about a reusable workflow call
// is at the caller's uses:, with the grant and the called workflow's
// `on: workflow_call` as related places.
func TestCallFindingsPointAtBothEnds(t *testing.T) {
	t.Parallel()
	_, findings := permFindings(t, map[string]string{permCallee: `name: called
on:
  workflow_call:
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`, permWF: `on: push
permissions: {}
jobs:
  call:
    uses: ./.github/workflows/called.yml
    permissions:
      contents: write
`})
	if len(findings) != 1 {
		t.Fatalf("findings %+v", findings)
	}
	f := findings[0]
	if f.Primary.Line != 5 || f.Primary.Column != 11 {
		t.Errorf("primary %+v, want the uses: value", f.Primary)
	}
	var rel []string
	for _, r := range f.Related {
		rel = append(rel, fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Column))
	}
	if strings.Join(rel, " ") != ".github/workflows/w.yml:7:17 .github/workflows/called.yml:3:3" {
		t.Errorf("related %v", rel)
	}
}
