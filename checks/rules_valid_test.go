package checks

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidWorkflows(t *testing.T) {
	t.Parallel()
	runCases(t, RuleInvalidWorkflow, map[string]ruleCase{
		"valid shapes stay quiet": {files: map[string]string{wf: `name: ok
on:
  push: {branches: [main]}
  pull_request:
    types: [opened, synchronize]
  workflow_call:
    inputs:
      x: {type: string, required: false, default: a}
permissions: {contents: read}
x-anchors: &steps
  - run: echo
jobs:
  build:
    runs-on: ubuntu-latest
    steps: *steps
  call:
    uses: org/repo/.github/workflows/w.yml@v1
  self:
    uses: $/.github/workflows/reusable.yml
  local:
    needs: [build]
    runs-on: ubuntu-latest
    steps:
      - uses: $/.github/actions/build
      - uses: ./.github/actions/build
      - uses: docker://alpine:3
`}, want: []string{wf + ":10:1 medium"}},
		"the shapes GitHub refuses": {files: map[string]string{wf: `on:
  push:
  issue: {}
jobs:
  no-runner:
    steps:
      - run: echo
  both:
    runs-on: ubuntu-latest
    unknown-key: 1
    steps:
      - uses: actions/checkout@v4
        run: echo
      - uses: actions/checkout
      - uses: ${{ matrix.action }}
      - uses: $/.github/actions/build@v1
  call:
    uses: $/.github/workflows/reusable.yml@main
  needs-missing:
    needs: nope
    runs-on: x
    steps: [{run: echo}]
`}, want: []string{wf + ":10:5 medium", wf + ":12:9 medium", wf + ":14:15 medium", wf + ":15:15 medium",
			wf + ":16:15 medium", wf + ":18:11 medium", wf + ":20:12 medium", wf + ":3:3 medium", wf + ":5:3 medium"}},
		"invalid on: form": {files: map[string]string{wf: "on: 42\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"},
			want: []string{wf + ":1:5 medium"}},
		"unknown top-level key": {files: map[string]string{wf: "on: push\njob:\n  a: {}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"},
			want: []string{wf + ":2:1 medium"}},
		"CRLF and quoted keys keep byte columns": {files: map[string]string{wf: "on: push\r\njobs:\r\n  \"a\":\r\n    \"runs_on\": x\r\n    steps: [{run: echo}]\r\n"},
			want: []string{wf + ":3:4 medium", wf + ":4:6 medium"}},
		"syntax newer than the linked actionlint": {files: map[string]string{wf: "on: push\nconcurrency:\n  group: deploy\n  queue: max\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n"},
			want: nil},
		"contexts where GitHub does not offer them": {files: map[string]string{wf: `on: push
env:
  IMAGE: node:20
jobs:
  a:
    if: secrets.DEPLOY_KEY != ''
    runs-on: x
    container: ${{ env.IMAGE }}
    services:
      db:
        image: ${{ env.IMAGE }}
    steps:
      - run: echo ${{ env.IMAGE }} ${{ fromJson2('[]') }}
`}, want: []string{wf + ":11:20 medium", wf + ":13:40 medium", wf + ":6:9 medium", wf + ":8:20 medium"}},
		"contexts where GitHub offers them": {files: map[string]string{wf: `on: push
env:
  IMAGE: node:20
jobs:
  a:
    if: github.event_name == 'push' && vars.ON == 'yes'
    runs-on: ${{ vars.RUNNER }}
    strategy:
      matrix:
        image: ['node:20']
    container: ${{ matrix.image }}
    env:
      TAG: ${{ matrix.image }}
    steps:
      - if: env.TAG != '' && matrix.image != ''
        run: echo ${{ env.IMAGE }} ${{ hashFiles('**/go.sum') }} ${{ steps.x.outputs.y }}
`}, want: nil},
		"step and job ids": {files: map[string]string{wf: `on: push
jobs:
  1st:
    runs-on: x
    steps:
      - id: v
        run: echo
      - id: V
        run: echo
      - id: ok_2-b
        run: echo
`}, want: []string{wf + ":3:3 medium", wf + ":8:13 medium"}},
		"actions are not workflows": {files: map[string]string{"action.yml": "runs:\n  using: composite\n  steps: [{run: echo, shell: bash}]\n"}, want: nil},
	})
	got := scanFindings(t, map[string]string{wf: "on: push\njobs:\n  a:\n    steps: [{run: echo}]\n"}, RuleInvalidWorkflow)
	if len(got) != 1 || !strings.Contains(got[0].Message, `"runs-on" section is missing in job "a"`) {
		t.Errorf("got %+v", got)
	}
}

// TestValidityAliasBomb: a document whose aliases expand to billions of
// nodes is not handed to actionlint, which walks aliased nodes once per
// use.
func TestValidityAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("on: push\na0: &a0 [x, x]\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	b.WriteString("jobs:\n  j:\n    runs-on: x\n    strategy:\n      matrix:\n        v: [*a39]\n    steps: [{run: echo}]\n")
	got := scan(t, map[string]string{wf: b.String()}, RuleInvalidWorkflow) // expanded, this would not finish
	if len(got) != 1 {
		t.Errorf("got %q, want one finding (too complex, or the unknown top-level keys)", got)
	}
}
