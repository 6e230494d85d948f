package knowledge

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/workflow"
)

func TestDataFile(t *testing.T) {
	m, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) < 60 {
		t.Errorf("%d entries, want at least 60", len(m))
	}
	for _, e := range Entries() {
		if !strings.HasPrefix(e.Docs, "https://github.com/") && !strings.HasPrefix(e.Docs, "https://docs.github.com/") &&
			!strings.HasPrefix(e.Docs, "https://goreleaser.com/") {
			t.Errorf("%s: docs %s is not the action's documentation", e.Uses, e.Docs)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for name, src := range map[string]string{
		"unknown field": "actions:\n  a/b:\n    docs: https://x\n    foo: 1\n",
		"bad scope":     "actions:\n  a/b:\n    docs: https://x\n    permissions: {content: read}\n",
		"bad level":     "actions:\n  a/b:\n    docs: https://x\n    permissions: {contents: admin}\n",
		"id-token read": "actions:\n  a/b:\n    docs: https://x\n    permissions: {id-token: read}\n",
		"no docs":       "actions:\n  a/b:\n    permissions: {contents: read}\n",
		"two tests":     "actions:\n  a/b:\n    docs: https://x\n    when: [{input: x, equals: a, set: true}]\n",
		"bad regexp":    "actions:\n  a/b:\n    docs: https://x\n    when: [{input: x, matches: '('}]\n",
	} {
		if _, err := parse([]byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLookup(t *testing.T) {
	e, ok := Lookup("Actions/Checkout@v4")
	if !ok || e.Permissions["contents"] != Read {
		t.Fatalf("checkout: %+v %v", e, ok)
	}
	if _, ok := Lookup("nobody/nothing@v1"); ok {
		t.Error("unknown action found")
	}
}

// jobOf parses a workflow and returns its job id.
func jobOf(t *testing.T, src, id string) (*workflow.Workflow, *workflow.Job) {
	t.Helper()
	f, err := workflow.ParseWorkflow(".github/workflows/x.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range f.Workflow.Jobs {
		if j.ID == id {
			return f.Workflow, j
		}
	}
	t.Fatalf("no job %s", id)
	return nil, nil
}

func TestJobNeeds(t *testing.T) {
	t.Parallel()
	head := "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n"
	cases := map[string]struct {
		steps   string
		scopes  map[string]string
		unknown bool
	}{
		"build":             {steps: "      - uses: actions/checkout@v4\n      - uses: actions/setup-go@v5\n      - run: go test ./...\n", scopes: map[string]string{"contents": "read"}},
		"release":           {steps: "      - uses: softprops/action-gh-release@v2\n", scopes: map[string]string{"contents": "write"}},
		"release with PAT":  {steps: "      - uses: softprops/action-gh-release@v2\n        with:\n          token: ${{ secrets.PAT }}\n"},
		"codecov oidc":      {steps: "      - uses: codecov/codecov-action@v5\n        with:\n          use_oidc: true\n", scopes: map[string]string{"id-token": "write"}},
		"codecov token":     {steps: "      - uses: codecov/codecov-action@v5\n        with:\n          token: ${{ secrets.CODECOV }}\n"},
		"ghcr login":        {steps: "      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          password: ${{ secrets.GITHUB_TOKEN }}\n", scopes: map[string]string{"packages": "write"}},
		"hub login":         {steps: "      - uses: docker/login-action@v3\n        with:\n          username: u\n          password: ${{ secrets.HUB }}\n"},
		"github-script":     {steps: "      - uses: actions/github-script@v7\n        with:\n          script: await github.request('GET /x')\n", unknown: true},
		"unlisted action":   {steps: "      - uses: someone/something@v1\n", unknown: true},
		"gh release":        {steps: "      - run: gh release create v1 dist/*\n        env:\n          GH_TOKEN: ${{ github.token }}\n", scopes: map[string]string{"contents": "write"}},
		"gh pr comment":     {steps: "      - run: |\n          gh pr comment 1 --body hi && gh issue list\n        env:\n          GH_TOKEN: ${{ github.token }}\n", scopes: map[string]string{"pull-requests": "write", "issues": "read"}},
		"gh with PAT":       {steps: "      - run: gh release create v1\n        env:\n          GH_TOKEN: ${{ secrets.PAT }}\n"},
		"gh api":            {steps: "      - run: gh api repos/o/r/issues\n        env:\n          GH_TOKEN: ${{ github.token }}\n", scopes: map[string]string{"issues": "read", "pull-requests": "read"}},
		"git push":          {steps: "      - run: git -C out push origin HEAD\n", scopes: map[string]string{"contents": "write"}},
		"docker push":       {steps: "      - run: docker push ghcr.io/o/r:latest\n", scopes: map[string]string{"packages": "write"}},
		"curl api":          {steps: "      - run: 'curl -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/graphql'\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n", unknown: true},
		"token to script":   {steps: "      - run: ./release.sh\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n", unknown: true},
		"expression uses":   {steps: "      - uses: ${{ matrix.action }}\n", unknown: true},
		"docker step":       {steps: "      - uses: docker://alpine:3\n"},
		"docker with token": {steps: "      - uses: docker://alpine:3\n        env:\n          T: ${{ github.token }}\n", unknown: true},
		"goreleaser":        {steps: "      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: release --clean\n", scopes: map[string]string{"contents": "write"}},
		"goreleaser build":  {steps: "      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: build --snapshot\n", scopes: map[string]string{"contents": "read"}},
		"aws oidc":          {steps: "      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:x\n", scopes: map[string]string{"id-token": "write"}},
		"pypi trusted":      {steps: "      - uses: pypa/gh-action-pypi-publish@release/v1\n", scopes: map[string]string{"id-token": "write"}},
		"pypi password":     {steps: "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.PYPI }}\n"},
		"runner setup":      {steps: "      - uses: jlumbroso/free-disk-space@v1\n        with:\n          android: true\n      - uses: helm/chart-testing-action@v2\n      - run: ct lint --all\n"},
		"all jobs green":    {steps: "      - uses: re-actors/alls-green@release/v1\n        with:\n          jobs: ${{ toJSON(needs) }}\n"},
		"expr input":        {steps: "      - uses: golangci/golangci-lint-action@v6\n        with:\n          only-new-issues: ${{ github.event_name == 'pull_request' }}\n", scopes: map[string]string{"contents": "read", "pull-requests": "read"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, j := jobOf(t, head+"    steps:\n"+c.steps, "j")
			n := JobNeeds(nil, w, j)
			if n.Known() == c.unknown {
				t.Errorf("unknown = %v, want %v", n.Unknown, c.unknown)
			}
			if !reflect.DeepEqual(n.Scopes, c.scopes) && !(len(n.Scopes) == 0 && len(c.scopes) == 0) {
				t.Errorf("scopes = %v, want %v", n.Scopes, c.scopes)
			}
			for s := range n.Scopes {
				if n.Sources[s] == "" {
					t.Errorf("no source for %s", s)
				}
			}
		})
	}
}

func TestContainersAndReusable(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		".github/workflows/called.yml":  {Data: []byte("on: workflow_call\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n  b:\n    permissions:\n      pages: write\n      id-token: write\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/c\n")},
		".github/actions/c/action.yml":  {Data: []byte("name: c\nruns:\n  using: composite\n  steps:\n    - run: gh issue comment 1 --body x\n      shell: bash\n      env:\n        GH_TOKEN: ${{ github.token }}\n")},
		".github/actions/js/action.yml": {Data: []byte("name: js\ninputs:\n  token:\n    default: ${{ github.token }}\nruns:\n  using: node20\n  main: index.js\n")},
	}
	src := `on: push
jobs:
  svc:
    runs-on: x
    container: ghcr.io/o/builder:1
    services:
      db: {image: postgres:16}
    steps:
      - uses: ./.github/actions/c
  js:
    runs-on: x
    steps:
      - uses: ./.github/actions/js
  call:
    uses: ./.github/workflows/called.yml
  slsa:
    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0
  other:
    uses: o/r/.github/workflows/x.yml@v1
`
	rd := readFS{files}
	w, j := jobOf(t, src, "svc")
	n := JobNeeds(rd, w, j)
	want := map[string]string{"packages": "read", "issues": "write", "pull-requests": "write"}
	if !n.Known() || !reflect.DeepEqual(n.Scopes, want) {
		t.Errorf("svc: %v %v, want %v", n.Scopes, n.Unknown, want)
	}
	if n := JobNeeds(nil, w, j); n.Known() {
		t.Error("svc without files: local action counted as known")
	}
	_, j = jobOf(t, src, "js")
	if n := JobNeeds(rd, w, j); n.Known() {
		t.Error("js: an action whose input defaults to the token is known")
	}
	_, j = jobOf(t, src, "call")
	n = JobNeeds(rd, w, j)
	want = map[string]string{"contents": "read", "pages": "write", "id-token": "write"}
	if !n.Known() || !reflect.DeepEqual(n.Scopes, want) {
		t.Errorf("call: %v %v, want %v", n.Scopes, n.Unknown, want)
	}
	_, j = jobOf(t, src, "slsa")
	n = JobNeeds(rd, w, j)
	want = map[string]string{"contents": "write", "id-token": "write", "actions": "read"}
	if !n.Known() || !reflect.DeepEqual(n.Scopes, want) {
		t.Errorf("slsa: %v %v, want %v", n.Scopes, n.Unknown, want)
	}
	_, j = jobOf(t, src, "other")
	if n := JobNeeds(rd, w, j); n.Known() {
		t.Error("unlisted reusable workflow is known")
	}
}

type readFS struct{ fs.FS }

func (r readFS) ReadFile(name string) ([]byte, error) { return fs.ReadFile(r.FS, name) }
