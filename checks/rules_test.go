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

// scan runs one rule over files and returns "rule file:line:col" rows.
func scan(t *testing.T, files map[string]string, rule string) []string {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	res := Scan(context.Background(), repo.New(fsys, ""), Options{})
	var out []string
	for _, f := range res.Findings {
		if f.Rule == rule {
			if f.Primary.File == "" || f.Primary.Line < 1 || f.Primary.Column < 1 {
				t.Errorf("finding without a primary location: %+v", f)
			}
			checkPlace(t, files[f.Primary.File], f)
			out = append(out, fmt.Sprintf("%s:%d:%d %s", f.Primary.File, f.Primary.Line, f.Primary.Column, f.Severity))
		}
	}
	sort.Strings(out)
	return out
}

const wf = ".github/workflows/w.yml"

type ruleCase struct {
	files map[string]string
	want  []string
}

func runCases(t *testing.T, rule string, cases map[string]ruleCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := scan(t, tc.files, rule)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s:\ngot  %q\nwant %q", rule, got, tc.want)
			}
		})
	}
}

func TestUnpinnedUses(t *testing.T) {
	t.Parallel()
	runCases(t, RuleUnpinnedUses, map[string]ruleCase{
		"tag, branch, short sha, third party": {files: map[string]string{wf: `on: push
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@main
      - uses: foo/bar@abc1234
      - uses: foo/bar@0123456789abcdef0123456789abcdef01234567 # v1.0.0
      - uses: ./local
      - uses: docker://alpine:3
`}, want: []string{wf + ":5:15 medium", wf + ":6:15 high", wf + ":7:15 high"}},
		"reusable workflow and matrix": {files: map[string]string{wf: `on: push
jobs:
  call:
    uses: org/repo/.github/workflows/ci.yml@v1
  local:
    uses: ./.github/workflows/local.yml
  m:
    strategy: {matrix: {go: ["1.21", "1.22"]}}
    steps:
      - {uses: "actions/setup-go@v5", with: {go-version: "${{ matrix.go }}"}}
`}, want: []string{wf + ":10:17 medium", wf + ":4:11 high"}},
		"composite action": {files: map[string]string{"sub/action.yaml": `name: x
runs:
  using: composite
  steps:
    - uses: actions/cache@v4
`}, want: []string{"sub/action.yaml:5:13 medium"}},
		"anchors are reported once at the anchor": {files: map[string]string{wf: "on: push\njobs:\n  a:\n    steps: &s\n      - uses: x/y@v1\n  b:\n    steps: *s\n"},
			want: []string{wf + ":5:15 high"}},
		"crlf": {files: map[string]string{wf: "on: push\r\njobs:\r\n  a:\r\n    steps:\r\n      - uses: x/y@v1\r\n"},
			want: []string{wf + ":5:15 high"}},
		"inline suppression": {files: map[string]string{wf: "on: push\njobs:\n  a:\n    steps:\n      # hardener: ignore[unpinned-uses]\n      - uses: x/y@v1\n      - uses: x/z@v1 # hardener: ignore[unpinned-uses]\n"},
			want: nil},
		"not a workflow directory": {files: map[string]string{".github/workflows/sub/w.yml": "on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n"},
			want: nil},
	})
}

func TestUnpinnedImage(t *testing.T) {
	t.Parallel()
	runCases(t, RuleUnpinnedImage, map[string]ruleCase{
		"container, services, docker uses": {files: map[string]string{wf: `on: push
jobs:
  a:
    container: node:20
    services:
      db: {image: "postgres:16"}
      cache:
        image: redis@sha256:0000000000000000000000000000000000000000000000000000000000000000
      dyn:
        image: ${{ matrix.image }}
    steps:
      - uses: docker://alpine:3
  b:
    container:
      image: ghcr.io/o/i:1
`}, want: []string{wf + ":12:15 medium", wf + ":15:14 medium", wf + ":4:16 medium", wf + ":6:20 medium"}},
		"dockerfile": {files: map[string]string{"build/Dockerfile": "ARG B=alpine\nFROM golang:1.22 AS b\nFROM b\nFROM $B\nFROM scratch\nFROM debian:12@sha256:abc\n"},
			want: []string{"build/Dockerfile:2:6 medium"}},
	})
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	runCases(t, RuleMissingPermissions, map[string]ruleCase{
		"none anywhere": {files: map[string]string{wf: "on: push\njobs:\n  a:\n    runs-on: x\n  b:\n    permissions: {contents: read}\n"},
			want: []string{wf + ":3:3 medium"}},
		"top level": {files: map[string]string{wf: "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n"}, want: nil},
	})
	runCases(t, RuleExcessivePermissions, map[string]ruleCase{
		// The workflow's write reaches no job: the only one has its own block.
		"write-all and workflow writes": {files: map[string]string{wf: "on: push\npermissions:\n  contents: write\n  pull-requests: read\njobs:\n  a:\n    permissions: write-all\n"},
			want: []string{wf + ":7:18 high"}},
		"job level writes with unknown needs are fine": {files: map[string]string{wf: "on: push\npermissions: read-all\njobs:\n  a:\n    permissions:\n      contents: write\n    steps:\n      - uses: someone/thing@v1\n"},
			want: nil},
		"job level writes its steps do not need": {files: map[string]string{wf: "on: push\npermissions: {}\njobs:\n  a:\n    permissions:\n      contents: write\n      issues: write\n    steps:\n      - uses: softprops/action-gh-release@v2\n"},
			want: []string{wf + ":7:15 low"}},
	})
}

func TestTriggersAndCheckout(t *testing.T) {
	t.Parallel()
	runCases(t, RuleDangerousTrigger, map[string]ruleCase{
		"prt and workflow_run": {files: map[string]string{wf: "on:\n  pull_request_target:\n  workflow_run: {workflows: [ci]}\n  push:\njobs: {}\n"},
			want: []string{wf + ":2:3 info", wf + ":3:3 info"}},
		"plain pull_request": {files: map[string]string{wf: "on: [pull_request]\njobs: {}\n"}, want: nil},
	})
	runCases(t, RuleUntrustedCheckout, map[string]ruleCase{
		"head checkout then build": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make
`}, want: []string{wf + ":7:16 high"}},
		"merge ref on issue_comment": {files: map[string]string{wf: `on: issue_comment
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "refs/pull/${{ github.event.issue.number }}/merge"}
      - uses: ./.github/actions/build
`}, want: []string{wf + ":6:22 high"}},
		"checkout of base only": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
      - run: make
`}, want: nil},
		"head checkout, nothing runs": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.head_ref }}"}
      - uses: actions/upload-artifact@v4
`}, want: nil},
		"a branch by name reads the base repository": {files: map[string]string{wf: `on: [pull_request_target, workflow_run]
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.head_ref }}"}
      - run: make
  b:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.workflow_run.head_branch }}
          repository: ${{ github.repository }}
      - run: make
  fork-branch:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.ref }}
          repository: ${{ github.event.pull_request.head.repo.full_name }}
      - run: make
  fork-run-branch:
    steps:
      - uses: actions/checkout@v4
        with:
          repository: ${{ github.event.workflow_run.head_repository.full_name }}
          ref: ${{ github.event.workflow_run.head_branch }}
      - run: make
  sha-from-base:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.workflow_run.head_sha }}"}
      - run: make
`}, want: []string{wf + ":19:16 high", wf + ":27:16 high", wf + ":32:22 high"}},
		"fetching a pull request's ref in a script": {files: map[string]string{wf: `on: issue_comment
jobs:
  a:
    steps:
      - run: |
          set -e
          git fetch origin "pull/${{ github.event.issue.number }}/head:pr"
          git checkout pr
      - run: make
  b:
    steps:
      - run: git fetch origin refs/pull/1/merge && git checkout FETCH_HEAD
      - run: make
  c:
    steps:
      - run: |
          gh  pr   checkout "$PR"
      - run: make
  d:
    steps:
      - run: git fetch origin main
      - run: make
`}, want: []string{wf + ":12:14 high", wf + ":17:11 high", wf + ":7:11 high"}},
		"a head checkout followed only by printing runs nothing": {files: map[string]string{wf: `on: pull_request_target
jobs:
  prints:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: |
          # what was checked out
          echo "at ${{ github.event.pull_request.head.sha }}"; ls -la && cat README.md | head -n 5
  substitution:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: echo "version $(./version.sh)"
  then-builds:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: echo start
      - run: echo build && make
  python:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - shell: python
        run: print("x")
`}, want: []string{wf + ":13:22 high", wf + ":18:22 high", wf + ":24:22 high"}},
		"pull_request is unprivileged": {files: map[string]string{wf: `on: pull_request
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: make
`}, want: nil},
	})
}

func TestRepositoryRules(t *testing.T) {
	t.Parallel()
	runCases(t, RuleMissingSecurityPolicy, map[string]ruleCase{
		"none":      {files: map[string]string{"README.md": "x"}, want: []string{"SECURITY.md:1:1 low"}},
		"in docs":   {files: map[string]string{"docs/security.md": "x"}, want: nil},
		"in github": {files: map[string]string{".github/SECURITY.rst": "x"}, want: nil},
		"elsewhere": {files: map[string]string{"src/SECURITY.md": "x"}, want: []string{"SECURITY.md:1:1 low"}},
	})
	runCases(t, RuleMissingDependencyUpd, map[string]ruleCase{
		"none":            {files: map[string]string{"README.md": "x"}, want: []string{".github/dependabot.yml:1:1 low"}},
		"dependabot ok":   {files: map[string]string{".github/dependabot.yaml": "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"}, want: nil},
		"no actions":      {files: map[string]string{".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n"}, want: []string{".github/dependabot.yml:2:1 low"}},
		"renovate":        {files: map[string]string{"renovate.json": "{}"}, want: nil},
		"renovate in pkg": {files: map[string]string{"package.json": `{"renovate": {}}`}, want: nil},
	})
}

func TestInvalidWorkflow(t *testing.T) {
	t.Parallel()
	runCases(t, RuleInvalidWorkflow, map[string]ruleCase{
		"broken and empty, others still scanned": {files: map[string]string{
			".github/workflows/a.yml": "on: [push\n", ".github/workflows/b.yml": "# only a comment\n",
			".github/workflows/c.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: x/y@v1\n",
			".github/workflows/d.yml": strings.Repeat("#", repo.MaxFileSize+1),
		}, want: []string{".github/workflows/a.yml:1:1 medium", ".github/workflows/b.yml:1:1 medium", ".github/workflows/d.yml:1:1 medium"}},
	})
	got := scan(t, map[string]string{".github/workflows/a.yml": "on: [push\n", wf: "on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n"}, RuleUnpinnedUses)
	if len(got) != 1 {
		t.Errorf("a broken file stopped the scan of the others: %q", got)
	}
}

// checkPlace checks that a finding's line, column and offset agree and
// that expression findings point at the `${{` of their expression.
func checkPlace(t *testing.T, src string, f Finding) {
	t.Helper()
	if src == "" || f.Primary.Offset <= 0 {
		return
	}
	line := strings.Count(src[:f.Primary.Offset], "\n") + 1
	col := f.Primary.Offset - (strings.LastIndex(src[:f.Primary.Offset], "\n") + 1) + 1
	if line != f.Primary.Line || col != f.Primary.Column {
		t.Errorf("%s at %d:%d but its offset is %d:%d", f.Rule, f.Primary.Line, f.Primary.Column, line, col)
	}
	at := src[f.Primary.Offset:]
	if f.Rule == RuleSpoofableBotCheck && !strings.HasPrefix(strings.ToLower(at), "github.") {
		t.Errorf("%s at %d:%d does not point at the actor context: %q", f.Rule, f.Primary.Line, f.Primary.Column, at[:min(len(at), 20)])
	}
	if (f.Rule == RuleTemplateInjection || f.Rule == RuleLongLivedToken) && !strings.HasPrefix(src[f.Primary.Offset:], "${{") {
		t.Errorf("%s at %d:%d does not point at ${{: %q", f.Rule, f.Primary.Line, f.Primary.Column, src[f.Primary.Offset:min(len(src), f.Primary.Offset+20)])
	}
}
