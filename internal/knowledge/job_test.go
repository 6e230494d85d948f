package knowledge

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// needsOf reads one job "j" of a workflow with the given local files.
func needsOf(t *testing.T, files map[string]string, steps string) Need {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	w, j := jobOf(t, "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"+steps, "j")
	return JobNeeds(readFS{fsys}, w, j)
}

func TestTokenReachesRunSteps(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		workflowEnv, jobEnv, steps string
		scopes                     map[string]string
		unknown                    bool
	}{
		"workflow env":    {workflowEnv: "env:\n  GH_TOKEN: ${{ github.token }}\n", steps: "      - run: gh release upload v1 a.tgz\n", scopes: map[string]string{"contents": Write}},
		"job env":         {jobEnv: "    env:\n      GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n", steps: "      - run: gh issue close 3\n", scopes: map[string]string{"issues": Write}},
		"any variable":    {steps: "      - run: ./tools/report.py\n        env:\n          INPUT_TOKEN: ${{ github.token }}\n", unknown: true},
		"inline":          {steps: "      - run: echo ${{ github.token }} | docker login ghcr.io -u x --password-stdin\n", scopes: map[string]string{"packages": Write}},
		"other token":     {jobEnv: "    env:\n      GH_TOKEN: ${{ secrets.BOT }}\n", steps: "      - run: gh pr merge 1 && ./anything.sh\n"},
		"harmless only":   {jobEnv: "    env:\n      GH_TOKEN: ${{ github.token }}\n", steps: "      - run: |\n          echo \"$GITHUB_REF\" | sed 's/x/y/' > out.txt\n          test -s out.txt\n"},
		"program given":   {jobEnv: "    env:\n      GH_TOKEN: ${{ github.token }}\n", steps: "      - run: npm test\n", unknown: true},
		"without a token": {steps: "      - run: npm test && ./release-notes.sh\n"},
		// The command a wrapper runs is read past the wrapper's options.
		"wrapped": {jobEnv: "    env:\n      GH_TOKEN: ${{ github.token }}\n", steps: "      - run: |\n" +
			"          git log --format=%H | xargs -I{} gh api \"repos/$GITHUB_REPOSITORY/commits/{}/pulls\" --jq '.[].number'\n" +
			"          timeout --signal KILL 5m gh api \"repos/$GITHUB_REPOSITORY/issues/7\" -X PATCH -f milestone=2\n" +
			"          sudo -E -u runner gh issue view 7\n",
			scopes: map[string]string{"issues": Write, "pull-requests": Write}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := "on: push\n" + c.workflowEnv + "jobs:\n  j:\n    runs-on: x\n" + c.jobEnv + "    steps:\n" + c.steps
			w, j := jobOf(t, src, "j")
			n := JobNeeds(nil, w, j)
			if n.Known() == c.unknown {
				t.Errorf("unknown = %v", n.Unknown)
			}
			if !c.unknown && !reflect.DeepEqual(n.Scopes, c.scopes) && !(len(n.Scopes) == 0 && len(c.scopes) == 0) {
				t.Errorf("scopes = %v, want %v", n.Scopes, c.scopes)
			}
		})
	}
}

func TestPersistedCredentials(t *testing.T) {
	t.Parallel()
	push := "      - run: git push origin HEAD:main\n"
	cases := map[string]struct {
		steps    string
		contents string // what the job needs of contents
		keep     bool   // contents: write kept without a known need
	}{
		"checkout persists the token":      {"      - uses: actions/checkout@v4\n" + push, Write, false},
		"persist-credentials false":        {"      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n" + push, Read, false},
		"checkout with a bot token":        {"      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.BOT }}\n" + push, "", false},
		"no checkout: cannot tell":         {push, Write, false},
		"release script after checkout":    {"      - uses: actions/checkout@v4\n      - run: ./scripts/release.sh\n", Read, true},
		"release script without persist":   {"      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - run: ./scripts/release.sh\n", Read, false},
		"cargo build --release is no push": {"      - uses: actions/checkout@v4\n      - run: cargo build --release\n", Read, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			n := needsOf(t, nil, c.steps)
			if n.Scopes["contents"] != c.contents {
				t.Errorf("contents %q, want %q", n.Scopes["contents"], c.contents)
			}
			if _, k := n.Keep["contents"]; k != c.keep {
				t.Errorf("keep = %v (%v)", k, n.Keep)
			}
		})
	}
}

func TestOIDCKept(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		steps string
		keep  bool
	}{
		"run step":                {"      - run: uv publish\n", true},
		"documented OIDC-free":    {"      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n", false},
		"action running commands": {"      - uses: changesets/action@v1\n", true},
		"container step":          {"      - uses: docker://alpine:3\n", true},
		"composite with run":      {"      - uses: ./.github/actions/build\n", true},
	}
	files := map[string]string{".github/actions/build/action.yml": "name: b\nruns:\n  using: composite\n  steps:\n    - run: make\n      shell: bash\n"}
	for name, c := range cases {
		n := needsOf(t, files, c.steps)
		if _, k := n.Keep["id-token"]; k != c.keep {
			t.Errorf("%s: id-token kept = %v, want %v", name, k, c.keep)
		}
		if c.keep && n.Floor()["id-token"] != Write {
			t.Errorf("%s: the floor drops id-token", name)
		}
	}
}

func TestCompositeInputsFollowed(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		".github/actions/pr/action.yml": `name: pr
inputs:
  github-token:
    default: ${{ github.token }}
  registry:
    default: docker.io
runs:
  using: composite
  steps:
    - uses: docker/login-action@v3
      with:
        registry: ${{ inputs.registry }}
        password: ${{ inputs.github-token }}
    - shell: bash
      env:
        GH_TOKEN: ${{ inputs.github-token }}
      run: gh pr comment 1 --body done
`,
	}
	cases := map[string]struct {
		with   string
		scopes map[string]string
	}{
		"default input is the token": {"", map[string]string{"pull-requests": Write}},
		"given a bot token":          {"        with:\n          github-token: ${{ secrets.BOT }}\n", nil},
		"registry given":             {"        with:\n          registry: ghcr.io\n", map[string]string{"pull-requests": Write, "packages": Write}},
	}
	for name, c := range cases {
		n := needsOf(t, files, "      - uses: ./.github/actions/pr\n"+c.with)
		if !n.Known() {
			t.Errorf("%s: unknown %v", name, n.Unknown)
		}
		if !reflect.DeepEqual(n.Scopes, c.scopes) && !(len(n.Scopes) == 0 && len(c.scopes) == 0) {
			t.Errorf("%s: scopes %v, want %v", name, n.Scopes, c.scopes)
		}
		if src := n.Sources["pull-requests"]; len(c.scopes) > 0 && !strings.Contains(src, "of ./.github/actions/pr") {
			t.Errorf("%s: source %q does not name the action", name, src)
		}
	}
}

func TestGithubScript(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		script  string
		scopes  map[string]string
		unknown bool
	}{
		"labels":       {"await github.rest.issues.addLabels({...context.repo, issue_number: 1, labels: ['x']})", map[string]string{"issues": Write, "pull-requests": Write}, false},
		"reads":        {"const r = await github.rest.pulls.get({...context.repo, pull_number: 1}); core.info(r.data.title)", map[string]string{"pull-requests": Read}, false},
		"paginate":     {"await github.paginate(github.rest.issues.listForRepo, context.repo)", map[string]string{"issues": Read, "pull-requests": Read}, false},
		"old style":    {"github.issues.createComment({})", map[string]string{"issues": Write, "pull-requests": Write}, false},
		"release":      {"github.rest.repos.createRelease({tag_name: 'v1'})", map[string]string{"contents": Write}, false},
		"urls":         {"core.info('see https://github.com/o/r and github.com')", nil, false},
		"expressions":  {"const t = '${{ github.event.issue.title }}'; await github.rest.issues.addLabels({})", map[string]string{"issues": Write, "pull-requests": Write}, false},
		"rest users":   {"await github.rest.users.getAuthenticated()", nil, true},
		"oidc":         {"const t = await core.getIDToken('sts')", map[string]string{"id-token": Write}, false},
		"client given": {"await require('./x.js')({github, context})", nil, true},
		"passed on":    {"await helper(github)", nil, true},
		"graphql":      {"await github.graphql('query { viewer { login } }')", nil, true},
		"admin":        {"await github.rest.repos.addCollaborator({})", nil, true},
	}
	for name, c := range cases {
		n := needsOf(t, nil, "      - uses: actions/github-script@v7\n        with:\n          script: "+quoteYAML(c.script)+"\n")
		if n.Known() == c.unknown {
			t.Errorf("%s: unknown = %v", name, n.Unknown)
		}
		if !c.unknown && !reflect.DeepEqual(n.Scopes, c.scopes) && !(len(n.Scopes) == 0 && len(c.scopes) == 0) {
			t.Errorf("%s: scopes %v, want %v", name, n.Scopes, c.scopes)
		}
	}
}

func quoteYAML(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestSelfRepositoryAction: `uses: $/path` names an action of the same
// repository, read like ./path.
func TestSelfRepositoryAction(t *testing.T) {
	t.Parallel()
	files := map[string]string{".github/actions/rel/action.yml": "name: r\nruns:\n  using: composite\n  steps:\n" +
		"    - run: gh release create v1\n      shell: bash\n      env:\n        GH_TOKEN: ${{ github.token }}\n"}
	n := needsOf(t, files, "      - uses: $/.github/actions/rel\n")
	if !n.Known() || n.Scopes["contents"] != Write {
		t.Errorf("%v %v", n.Scopes, n.Unknown)
	}
}

// TestUnknownReasons: a reason for review names what Hardener could not
// read, once, in words a maintainer can act on.
func TestUnknownReasons(t *testing.T) {
	t.Parallel()
	action := "runs:\n  using: composite\n  steps:\n    - uses: example/fetch-tool@v1\n"
	cases := map[string]struct {
		files map[string]string
		steps string
		want  []string
	}{
		"named step names its action": {
			steps: "      - name: Lint the charts\n        uses: example/chart-lint@v2\n",
			want:  []string{"step \"Lint the charts\": `example/chart-lint` is not in the knowledge base"},
		},
		"unnamed step is labelled by its action": {
			steps: "      - uses: example/chart-lint@v2\n",
			want:  []string{"step example/chart-lint: the action is not in the knowledge base"},
		},
		"a local action used twice is reported once": {
			files: map[string]string{".github/actions/tool/action.yml": action},
			steps: "      - uses: ./.github/actions/tool\n      - run: make\n      - uses: ./.github/actions/tool\n",
			want:  []string{"step example/fetch-tool of ./.github/actions/tool: the action is not in the knowledge base"},
		},
		"a step of a shape Hardener does not read": {
			steps: "      - name: Both\n        parallel:\n          - run: gh release create v1\n",
			want:  []string{"step \"Both\": the step has neither `run:` nor `uses:`, so what it runs cannot be read"},
		},
		"a script that loads a module": {
			steps: "      - uses: actions/github-script@v7\n        with:\n          script: |\n            const run = require('./scripts/triage.js')\n            await run({github, context})\n",
			want:  []string{"step actions/github-script: the script runs code Hardener cannot read (`require`)"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := needsOf(t, c.files, c.steps).Unknown; !reflect.DeepEqual(got, c.want) {
				t.Errorf("reasons:\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestUnknownSummary: places that share a reason are named together, at
// most three of them.
func TestUnknownSummary(t *testing.T) {
	t.Parallel()
	script := func(name string) string {
		return "      - name: " + name + "\n        uses: actions/github-script@v7\n        with:\n          script: require('./x.js')(github)\n"
	}
	steps := script("One") + script("Two") + "      - uses: example/notify@v1\n" + script("Three") + script("Four") + script("Five")
	want := "step \"One\", step \"Two\", step \"Three\" and 2 more: the script runs code Hardener cannot read (`require`); " +
		"step example/notify: the action is not in the knowledge base"
	if got := needsOf(t, nil, steps).UnknownSummary(); got != want {
		t.Errorf("summary:\n%s\nwant\n%s", got, want)
	}
}
