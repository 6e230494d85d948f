package checks

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

func TestTemplateInjectionDirect(t *testing.T) {
	t.Parallel()
	runCases(t, RuleTemplateInjection, map[string]ruleCase{
		"run, safe contexts stay quiet": {files: map[string]string{wf: `on: issues
jobs:
  a:
    steps:
      - run: echo "${{ github.event.issue.title }}" ${{ github.sha }} ${{ github.event.issue.number }}
      - run: |
          echo ${{ github.repository }} ${{ github.actor }} ${{ github.run_id }} ${{ secrets.TOKEN }}
          echo ${{ github.event.issue.user.login }} ${{ vars.X }} ${{ runner.os }} ${{ github.ref_name }}
      - if: ${{ github.event.issue.title == 'x' }}
        env:
          TITLE: ${{ github.event.issue.title }}
        run: echo "$TITLE" ${{ contains(github.event.issue.body, 'x') }} ${{ github.event.issue.title != '' }}
`}, want: []string{wf + ":5:20 high"}},
		"fields the triggers never fill": {files: map[string]string{wf: `on: [push, workflow_dispatch]
jobs:
  a:
    steps:
      - run: echo ${{ github.event.issue.title }} ${{ github.head_ref }} ${{ github.event.head_commit.message }}
`}, want: []string{wf + ":5:74 high"}},
		"bracket access and computed index": {files: map[string]string{wf: "on: pull_request_target\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.event['pull_request']['body'] }} ${{ github.event.pages[0].page_name }}\n"},
			want: []string{wf + ":5:19 high"}},
		"whole objects serialised": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - run: echo '${{ toJSON(github.event) }}' '${{ toJSON(github.event.pull_request.head) }}' '${{ toJSON(github.event.pull_request.base) }}'
      - run: echo '${{ toJSON(github) }}'
`}, want: []string{wf + ":5:20 high", wf + ":5:50 high", wf + ":6:20 high"}},
		"every shell": {files: map[string]string{wf: `on: issue_comment
defaults:
  run:
    shell: pwsh
jobs:
  a:
    defaults:
      run: {shell: python}
    steps:
      - run: print("${{ github.event.comment.body }}")
      - shell: cmd
        run: echo ${{ github.event.comment.body }}
      - shell: perl {0}
        run: print "${{ github.event.comment.body }}"
      - shell: ${{ github.event.comment.body }} {0}
        run: echo
  b:
    steps:
      - run: Write-Host "${{ github.event.issue.title }}"
`}, want: []string{wf + ":10:21 high", wf + ":12:19 high", wf + ":14:21 high", wf + ":15:16 high", wf + ":19:26 high"}},
		"action code inputs": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - uses: actions/github-script@v7
        with:
          github-token: ${{ github.event.pull_request.title }}
          script: |
            const t = "${{ github.event.pull_request.title }}"
            const ok = ${{ toJSON(github.event.pull_request.title) }}
            const bad = "${{ toJSON(github.event.pull_request.title) }}"
      - uses: azure/powershell@v2
        with: {inlineScript: "Write-Output '${{ github.head_ref }}'", azPSVersion: latest}
      - uses: mikefarah/yq@v4
        with:
          cmd: yq '.a = "${{ github.event.pull_request.body }}"' f.yml
      - uses: nick-fields/retry@v3
        with:
          command: make ${{ github.head_ref }}
      - uses: some/unknown@v1
        with:
          script: ${{ github.head_ref }}
`}, want: []string{wf + ":11:26 high", wf + ":13:45 high", wf + ":16:26 high", wf + ":19:25 high", wf + ":9:24 high"}},
		"messages keep the written case": {files: map[string]string{wf: "on: pull_request_target\njobs:\n  a:\n    steps:\n      - run: echo ${{ GitHub.Event.Pull_Request.Title }}\n"},
			want: []string{wf + ":5:19 high"}},
	})
	got := scanFindings(t, map[string]string{wf: "on: pull_request_target\njobs:\n  a:\n    env: {PKG_NAME: '${{ github.head_ref }}'}\n    steps:\n      - run: echo ${{ env.PKG_NAME }} ${{ GitHub.Event.Pull_Request.Title }}\n"}, RuleTemplateInjection)
	for _, f := range got {
		if !strings.Contains(f.Message, "env.PKG_NAME") && !strings.Contains(f.Message, "GitHub.Event.Pull_Request.Title") {
			t.Errorf("message lost the case of the expression: %s", f.Message)
		}
	}
	if len(got) != 2 {
		t.Errorf("got %d findings", len(got))
	}
}

func TestTemplateInjectionFollowsData(t *testing.T) {
	t.Parallel()
	runCases(t, RuleTemplateInjection, map[string]ruleCase{
		"env at every level, nearest wins, static is quiet": {files: map[string]string{wf: `on: pull_request_target
env:
  WF: ${{ github.event.pull_request.title }}
  SAFE: hello
jobs:
  a:
    env:
      JOB: ${{ github.head_ref }}
      SAFE: also-${{ github.sha }}
    steps:
      - env:
          STEP: ${{ github.event.pull_request.body }}
          WF: overridden
        run: |
          echo ${{ env.WF }} ${{ env.JOB }} ${{ env.STEP }} ${{ env.SAFE }} ${{ env.UNKNOWN }}
      - run: echo ${{ env.WF }}
`}, want: []string{wf + ":15:30 high", wf + ":15:45 high", wf + ":16:19 high"}},
		"env chains and GITHUB_ENV writes": {files: map[string]string{wf: `on: issues
jobs:
  a:
    env:
      A: ${{ github.event.issue.body }}
    steps:
      - env:
          B: ${{ env.A }}
        run: echo ${{ env.B }}
      - env:
          T: ${{ github.event.issue.title }}
        run: echo "TITLE=$T" >> "$GITHUB_ENV"
      - run: echo ${{ env.TITLE }}
      - run: echo "SHA=$(git rev-parse HEAD)" >> $GITHUB_ENV
      - run: echo ${{ env.SHA }}
`}, want: []string{wf + ":13:19 high", wf + ":9:19 high"}},
		"matrix entries with expressions": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        include:
          - os: ubuntu-latest
            ref: ${{ github.head_ref }}
    steps:
      - run: echo ${{ matrix.os }} ${{ matrix.ref }} ${{ toJSON(matrix) }}
  b:
    strategy:
      matrix: ${{ fromJSON(needs.plan.outputs.m) }}
    needs: plan
    steps:
      - run: echo ${{ matrix.x }}
  plan:
    outputs:
      m: ${{ steps.p.outputs.m }}
    steps:
      - id: p
        run: echo "m=${{ toJSON(github.event.pull_request.labels) }}" >> "$GITHUB_OUTPUT"
`}, want: []string{wf + ":11:36 high", wf + ":11:54 high"}},
		"step outputs": {files: map[string]string{wf: `on: issue_comment
jobs:
  a:
    outputs:
      body: ${{ steps.parse.outputs.body }}
      sha: ${{ steps.sha.outputs.sha }}
    steps:
      - id: parse
        env:
          BODY: ${{ github.event.comment.body }}
        run: |
          clean=$(echo "$BODY" | head -1)
          echo "body=$BODY" >> "$GITHUB_OUTPUT"
          echo "len=${#BODY}" >> "$GITHUB_OUTPUT"
      - id: sha
        run: echo "sha=$(git rev-parse HEAD)" >> $GITHUB_OUTPUT
      - run: |
          echo ${{ steps.parse.outputs.body }}
          echo ${{ steps.sha.outputs.sha }} ${{ steps.later.outputs.x }}
          echo '${{ toJSON(steps.parse.outputs) }}'
      - id: later
        run: echo "x=${{ github.event.comment.body }}" >> $GITHUB_OUTPUT
  b:
    needs: a
    steps:
      - run: echo ${{ needs.a.outputs.body }} ${{ needs.a.outputs.sha }} ${{ toJSON(needs.a.outputs) }}
`}, want: []string{wf + ":18:16 high", wf + ":20:17 high", wf + ":22:22 high", wf + ":26:19 high", wf + ":26:74 high"}},
		"heredoc and grouped writes": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - id: s
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: |
          {
            echo "t<<EOF"
            echo "$TITLE"
            echo "EOF"
          } >> "$GITHUB_OUTPUT"
          X="$TITLE"
          echo "x=$X" >> $GITHUB_OUTPUT
      - run: echo ${{ steps.s.outputs.t }} ${{ steps.s.outputs.x }}
`}, want: []string{wf + ":16:19 high", wf + ":16:44 high"}},
		"outputs of actions that report on the pull request": {files: map[string]string{wf: `on: pull_request_target
jobs:
  a:
    steps:
      - id: changed
        uses: tj-actions/changed-files@v46
      - id: filter
        uses: dorny/paths-filter@v3
        with: {list-files: shell, filters: "src: ['src/**']"}
      - run: |
          echo ${{ steps.changed.outputs.all_changed_files }} ${{ steps.changed.outputs.any_changed }}
          echo ${{ steps.changed.outputs.all_changed_files_count }} ${{ steps.filter.outputs.src_files }}
          echo '${{ toJSON(steps.changed.outputs) }}'
`}, want: []string{wf + ":11:16 high", wf + ":12:69 high", wf + ":13:17 high"}},
		"pull_request runs the author's own code: medium": {files: map[string]string{wf: `on: [pull_request, push]
jobs:
  a:
    steps:
      - run: echo ${{ github.head_ref }} ${{ github.event.pull_request.title }} ${{ github.event.head_commit.message }}
      - id: b
        uses: xt0rted/pull-request-comment-branch@v3
      - run: echo ${{ steps.b.outputs.head_ref }} ${{ steps.b.outputs.head_sha }}
`}, want: []string{wf + ":5:19 medium", wf + ":5:42 medium", wf + ":5:81 high", wf + ":8:19 medium"}},
		"github-script outputs": {files: map[string]string{wf: `on: issues
jobs:
  a:
    steps:
      - id: s
        uses: actions/github-script@v7
        with:
          script: |
            core.setOutput('title', context.payload.issue.title)
            core.setOutput('kind', context.payload.issue ? 'issue' : 'other')
            return context.payload.issue?.body
      - run: echo ${{ steps.s.outputs.title }} ${{ steps.s.outputs.kind }} ${{ steps.s.outputs.result }}
`}, want: []string{wf + ":12:19 high", wf + ":12:76 high"}},
		"workflow_dispatch inputs and typed inputs are quiet": {files: map[string]string{wf: `on:
  workflow_dispatch:
    inputs:
      name: {type: string}
jobs:
  a:
    steps:
      - run: echo ${{ inputs.name }} ${{ github.event.inputs.name }}
`}, want: nil},
	})
}

func TestTemplateInjectionAcrossFiles(t *testing.T) {
	t.Parallel()
	const reusable = ".github/workflows/reusable.yml"
	const callerWF = ".github/workflows/caller.yml"
	runCases(t, RuleTemplateInjection, map[string]ruleCase{
		"reusable workflow: a caller passes attacker text": {files: map[string]string{
			reusable: `on:
  workflow_call:
    inputs:
      title: {type: string}
      dry: {type: boolean}
    outputs:
      out: {value: "${{ jobs.r.outputs.o }}"}
jobs:
  r:
    outputs:
      o: ${{ inputs.title }}
    steps:
      - run: echo ${{ inputs.title }} ${{ inputs.dry }}
`,
			callerWF: `on: issues
jobs:
  call:
    uses: ./.github/workflows/reusable.yml
    with:
      title: ${{ github.event.issue.title }}
      dry: true
  after:
    needs: call
    steps:
      - run: echo ${{ needs.call.outputs.out }}
`}, want: []string{callerWF + ":11:19 high", reusable + ":13:19 high"}},
		"reusable workflow: callers pass safe values, or none is known": {files: map[string]string{
			reusable:                       "on:\n  workflow_call:\n    inputs:\n      v: {type: string}\njobs:\n  r:\n    steps:\n      - run: echo ${{ inputs.v }}\n",
			callerWF:                       "on: push\njobs:\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with: {v: '${{ github.sha }}'}\n",
			".github/workflows/lonely.yml": "on:\n  workflow_call:\n    inputs:\n      v: {type: string}\njobs:\n  r:\n    steps:\n      - run: echo ${{ inputs.v }}\n",
		}, want: []string{".github/workflows/lonely.yml:8:19 low"}},
		"composite action: internal with an attacker caller, published, unused": {files: map[string]string{
			".github/actions/greet/action.yml": `name: greet
inputs:
  who: {description: who}
  ref: {default: "${{ github.head_ref }}"}
outputs:
  said: {value: "${{ steps.s.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: |
        echo "Hello ${{ inputs.who }}"
        echo "said=${{ inputs.who }}" >> "$GITHUB_OUTPUT"
    - shell: bash
      run: echo ${{ inputs.ref }}
`,
			callerWF: `on: pull_request_target
jobs:
  a:
    steps:
      - id: g
        uses: ./.github/actions/greet
        with:
          who: ${{ github.event.pull_request.title }}
      - run: echo ${{ steps.g.outputs.said }}
      - uses: $/.github/actions/greet
        with: {who: world}
`,
			"action.yml":                    "runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.x }}\n      shell: bash\n",
			".github/actions/js/action.yml": "outputs:\n  out:\n    description: set by the code\nruns:\n  using: node20\n  main: index.js\n",
			".github/workflows/js.yml":      "on: issues\njobs:\n  a:\n    steps:\n      - id: js\n        uses: ./.github/actions/js\n      - run: echo ${{ steps.js.outputs.out }}\n",
			".github/actions/x/action.yml":  "runs:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.x }}\n      shell: bash\n",
		}, want: []string{".github/actions/greet/action.yml:13:21 high", ".github/actions/greet/action.yml:14:20 high",
			".github/actions/greet/action.yml:16:17 high", ".github/actions/x/action.yml:4:17 low", callerWF + ":9:19 high",
			"action.yml:4:17 medium"}},
	})
}

// scanFindings runs every check over files and returns one rule's findings.
func scanFindings(t *testing.T, files map[string]string, rule string) []Finding {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	var out []Finding
	for _, f := range Scan(context.Background(), repo.New(fsys, ""), Options{}).Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestTaintBoundedOnHostileChains: in a chain of composite actions whose
// every output reads every output of the next, a naive walk takes 10^n
// steps. Call sites are interned (each output is resolved once per call
// site), depth and work are bounded, so the scan ends (this test would
// time out otherwise); a short chain is still followed to its source.
func TestTaintBoundedOnHostileChains(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 40} {
		files := map[string]string{}
		for i := 0; i < n; i++ {
			var outs, next strings.Builder
			for k := 0; k < 10; k++ {
				fmt.Fprintf(&outs, "  o%d: {value: \"", k)
				for m := 0; m < 10; m++ {
					fmt.Fprintf(&outs, "${{ steps.n.outputs.o%d }}", m)
				}
				outs.WriteString("\"}\n")
			}
			if i < n-1 {
				fmt.Fprintf(&next, "    - id: n\n      uses: ./.github/actions/a%d\n", i+1)
			} else {
				next.WriteString("    - id: n\n      shell: bash\n      run: echo \"o0=${{ github.event.issue.title }}\" >> \"$GITHUB_OUTPUT\"\n")
			}
			files[fmt.Sprintf(".github/actions/a%d/action.yml", i)] = "name: a\noutputs:\n" + outs.String() +
				"runs:\n  using: composite\n  steps:\n" + next.String()
		}
		files[wf] = "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: x\n        uses: ./.github/actions/a0\n" +
			"      - run: echo '${{ toJSON(steps.x.outputs) }}'\n"
		got := scan(t, files, RuleTemplateInjection)
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, wf+":8:")
		}
		if n == 4 && !found {
			t.Errorf("chain of %d: the source at its end was not found: %q", n, got)
		}
	}
}
