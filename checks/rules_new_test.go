package checks

import (
	"strings"
	"testing"
)

func TestSpoofableBotCheck(t *testing.T) {
	t.Parallel()
	runCases(t, RuleSpoofableBotCheck, map[string]ruleCase{
		"actor checks in privileged workflows": {files: map[string]string{wf: `on: pull_request_target
jobs:
  automerge:
    if: github.actor == 'dependabot[bot]'
    steps:
      - run: gh pr merge --auto "$PR"
  step-level:
    steps:
      - if: ${{ 'renovate[bot]' == github.triggering_actor || github.event.pull_request.draft }}
        run: echo
      - if: github.event.pull_request.user.login == 'dependabot[bot]'
        run: echo safe
      - if: ${{ contains(github.event.pull_request.labels.*.name, 'x') && github.actor == 'dependabot[bot]' }}
        run: echo
      - if: github.actor_id == 49699333
        run: echo
      - if: github.actor != 'dependabot[bot]'
        run: echo
`}, want: []string{wf + ":13:75 medium", wf + ":15:13 high", wf + ":4:9 high", wf + ":9:36 high"}},
		"workflow_run": {files: map[string]string{wf: "on:\n  workflow_run:\n    workflows: [ci]\n    types: [completed]\njobs:\n  a:\n    if: >-\n      github.event.workflow_run.conclusion == 'success' &&\n      github.actor == 'dependabot[bot]'\n    steps: [{run: echo}]\n"},
			want: []string{wf + ":9:7 medium"}},
		"the triggering run's actor": {files: map[string]string{wf: "on:\n  workflow_run:\n    workflows: [ci]\n    types: [completed]\njobs:\n  a:\n    if: github.event.workflow_run.actor.id == 49699333\n    steps: [{run: echo}]\n  b:\n    if: github.event.workflow_run.triggering_actor.login == 'renovate[bot]'\n    steps: [{run: echo}]\n"},
			want: []string{wf + ":10:9 high", wf + ":7:9 high"}},
		"unprivileged triggers": {files: map[string]string{wf: "on: pull_request\njobs:\n  a:\n    if: github.actor == 'dependabot[bot]'\n    steps: [{run: echo}]\n"},
			want: nil},
	})
}

func TestCachePoisoning(t *testing.T) {
	t.Parallel()
	const prt = ".github/workflows/prt.yml"
	const release = ".github/workflows/release.yml"
	writer := `on: pull_request_target
jobs:
  build:
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: npm ci && npm test
`
	rel := `on:
  push:
    tags: ['v*']
jobs:
  npm:
    permissions: {contents: read, id-token: write}
    steps:
      - uses: actions/setup-node@v4
        with: {node-version: 22, cache: npm}
      - run: npm publish
  gh:
    steps:
      - uses: actions/cache@v4
        with: {path: ~/.cache, key: k}
      - run: gh release create "$TAG" dist/*
  go:
    steps:
      - uses: actions/setup-go@v5
      - uses: goreleaser/goreleaser-action@v6
  go-nocache:
    steps:
      - uses: actions/setup-go@v5
        with: {cache: false}
      - uses: goreleaser/goreleaser-action@v6
  test-only:
    steps:
      - uses: actions/cache@v4
        with: {path: x, key: k}
      - run: make test
  lookup:
    permissions: {id-token: write}
    steps:
      - uses: actions/cache/restore@v4
        with: {path: x, key: k, lookup-only: true}
`
	runCases(t, RuleCachePoisoning, map[string]ruleCase{
		"a pull_request_target build writes the cache": {files: map[string]string{prt: writer, release: rel},
			want: []string{release + ":13:15 high", release + ":18:15 high", release + ":9:41 high"}},
		"an injection in an issue workflow is a writer too": {files: map[string]string{
			".github/workflows/triage.yml": "on: issues\njobs:\n  t:\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n",
			release:                        rel}, want: []string{release + ":13:15 high", release + ":18:15 high", release + ":9:41 high"}},
		"no outsider runs code": {files: map[string]string{release: rel,
			".github/workflows/ci.yml": "on: pull_request\njobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n"}, want: nil},
	})
}

func TestLongLivedRegistryToken(t *testing.T) {
	t.Parallel()
	runCases(t, RuleLongLivedToken, map[string]ruleCase{
		"npm, PyPI and crates.io tokens": {files: map[string]string{wf: `on: release
env:
  CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES_TOKEN }}
jobs:
  npm:
    steps:
      - uses: actions/setup-node@v4
        with: {registry-url: "https://registry.npmjs.org"}
      - run: npm publish --provenance
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
  pypi:
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
  twine:
    env: {TWINE_USERNAME: __token__, TWINE_PASSWORD: "${{ secrets.PYPI }}"}
    steps:
      - run: twine upload dist/*
  cargo:
    steps:
      - run: |
          cargo login ${{ secrets.CRATES_TOKEN }}
          cargo publish
  npmrc:
    steps:
      - run: echo "//registry.npmjs.org/:_authToken=${{ secrets.NPM_TOKEN }}" > ~/.npmrc
      - run: pnpm publish
`}, want: []string{wf + ":11:28 low", wf + ":16:21 low", wf + ":18:55 low", wf + ":24:23 low", wf + ":28:53 low", wf + ":3:25 low"}},
		"left alone": {files: map[string]string{wf: `on: release
jobs:
  github-packages:
    steps:
      - uses: actions/setup-node@v4
        with: {registry-url: "https://npm.pkg.github.com"}
      - run: npm publish
        env: {NODE_AUTH_TOKEN: "${{ secrets.GITHUB_TOKEN }}"}
  private-index:
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with: {repository-url: "https://pkgs.example.com/simple", password: "${{ secrets.INDEX }}"}
  install-only:
    env: {NODE_AUTH_TOKEN: "${{ secrets.NPM_READ_TOKEN }}"}
    steps:
      - run: npm ci
  trusted:
    permissions: {id-token: write}
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
  own-token:
    steps:
      - run: npm publish
        env: {NODE_AUTH_TOKEN: "${{ secrets.GITHUB_TOKEN }}"}
  twine-private:
    steps:
      - run: twine upload --repository-url https://pypi.example.com/simple/ dist/*
        env: {TWINE_PASSWORD: "${{ secrets.INDEX }}"}
  twine-private-env:
    steps:
      - run: twine upload dist/*
        env:
          TWINE_REPOSITORY_URL: https://nexus.example.com/repository/pypi/
          TWINE_PASSWORD: ${{ secrets.NEXUS }}
  npm-private:
    steps:
      - run: npm publish --registry=https://npm.example.com/
        env: {NODE_AUTH_TOKEN: "${{ secrets.VERDACCIO }}"}
`}, want: nil},
		"public index named on the command line": {files: map[string]string{wf: `on: release
jobs:
  twine:
    steps:
      - run: twine upload --repository-url https://upload.pypi.org/legacy/ dist/*
        env: {TWINE_PASSWORD: "${{ secrets.PYPI }}"}
`}, want: []string{wf + ":6:32 low"}},
	})
}

// TestPositionsAcrossStyles: every rule places its findings at the same
// line and byte column whether the file uses LF or CRLF, and finds them
// inside flow mappings, anchored values and block scalars.
func TestPositionsAcrossStyles(t *testing.T) {
	t.Parallel()
	src := `on:
  pull_request_target:
    types: [opened]
x-if: &bot
  github.actor == 'dependabot[bot]'
jobs:
  a:
    if: *bot
    steps:
      - {name: flow, run: "echo ${{ github.event.pull_request.title }}", env: {NODE_AUTH_TOKEN: "${{ secrets.NPM }}"}}
      - run: |
          npm publish
          echo "${{ github.head_ref }}"
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - {uses: actions/setup-node@v4, with: {cache: npm}}
      - run: >-
          make
          ${{ github.event.pull_request.body }}
`
	rules := []string{RuleTemplateInjection, RuleSpoofableBotCheck, RuleLongLivedToken, RuleCachePoisoning,
		RuleUntrustedCheckout, RuleUnpinnedUses, RuleDangerousTrigger}
	for _, rule := range rules {
		lf := scan(t, map[string]string{wf: src}, rule)
		crlf := scan(t, map[string]string{wf: strings.ReplaceAll(src, "\n", "\r\n")}, rule)
		if len(lf) == 0 {
			t.Errorf("%s: nothing found", rule)
		}
		if strings.Join(lf, "\n") != strings.Join(crlf, "\n") {
			t.Errorf("%s: LF %q, CRLF %q", rule, lf, crlf)
		}
	}
	got := scan(t, map[string]string{wf: src}, RuleTemplateInjection)
	want := []string{wf + ":10:33 high", wf + ":13:17 high", wf + ":19:11 high"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("template-injection: %q, want %q", got, want)
	}
	if got := scan(t, map[string]string{wf: src}, RuleSpoofableBotCheck); len(got) != 1 || got[0] != wf+":5:3 high" {
		t.Errorf("spoofable-bot-check at the anchor: %q", got)
	}
}
