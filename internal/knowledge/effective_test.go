package knowledge

import (
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/workflow"
)

// repoOf parses the workflows of a file map into a Repo.
func repoOf(t *testing.T, files map[string]string, mode string) (*Repo, map[string]*workflow.File) {
	t.Helper()
	fsys := fstest.MapFS{}
	byPath := map[string]*workflow.File{}
	var wfs []*workflow.File
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
		f, err := workflow.ParseWorkflow(p, []byte(s))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		byPath[p] = f
		wfs = append(wfs, f)
	}
	return NewRepo(readFS{fsys}, wfs, mode), byPath
}

func jobIn(t *testing.T, f *workflow.File, id string) *workflow.Job {
	t.Helper()
	for _, j := range f.Workflow.Jobs {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("no job %s", id)
	return nil
}

func TestEffective(t *testing.T) {
	t.Parallel()
	const ci, called, mixed = ".github/workflows/ci.yml", ".github/workflows/called.yml", ".github/workflows/mixed.yml"
	files := map[string]string{
		ci: `on: push
permissions:
  contents: read
  issues: write
jobs:
  inherit:
    runs-on: x
  widen:
    runs-on: x
    permissions:
      contents: write
  all:
    runs-on: x
    permissions: read-all
  expr:
    runs-on: x
    permissions: ${{ fromJSON(vars.PERMS) }}
  call-narrow:
    uses: ./.github/workflows/called.yml
    permissions:
      contents: read
  call-wide:
    uses: ./.github/workflows/called.yml
    permissions: write-all
`,
		called: `on: workflow_call
jobs:
  plain:
    runs-on: x
  asks:
    runs-on: x
    permissions:
      contents: write
      id-token: write
`,
		mixed: `on: [workflow_call, push]
jobs:
  a:
    runs-on: x
`,
	}
	r, fs := repoOf(t, files, "write")
	cases := map[string]struct {
		file, job string
		origin    Origin
		want      string
	}{
		"inherits the workflow block":    {ci, "inherit", OriginWorkflow, "contents: read, issues: write"},
		"widens past the workflow block": {ci, "widen", OriginJob, "contents: write"},
		"read-all":                       {ci, "all", OriginJob, "actions: read, attestations: read, checks: read, contents: read, deployments: read, discussions: read, issues: read, models: read, packages: read, pages: read, pull-requests: read, repository-projects: read, security-events: read, statuses: read"},
		// A called job without a block gets the widest grant of its callers
		// (here write-all); checked below.
		"called job gets its callers' grant": {called, "plain", OriginCaller, ""},
		// What it asks for, capped by the callers.
		"called job's block capped": {called, "asks", OriginJob, "contents: write, id-token: write"},
		"can also run on its own":   {mixed, "a", OriginDefault, Permissive().String()},
	}
	for name, c := range cases {
		e := r.Effective(fs[c.file], jobIn(t, fs[c.file], c.job))
		if e.Origin != c.origin {
			t.Errorf("%s: origin %d, want %d", name, e.Origin, c.origin)
		}
		if name == "called job gets its callers' grant" {
			if !e.Grant.Equal(Union(Grant{"contents": Read}, Permissive().Clone(), Grant{"id-token": Write})) || len(e.Callers) != 2 {
				t.Errorf("%s: %s, callers %d", name, e.Grant, len(e.Callers))
			}
			continue
		}
		if e.Grant.String() != c.want {
			t.Errorf("%s: %s, want %s", name, e.Grant, c.want)
		}
	}
	if e := r.Effective(fs[ci], jobIn(t, fs[ci], "expr")); !e.Unreadable {
		t.Error("an expression block is readable")
	}
	if g, ok := r.CallerFloor(called); !ok || g.String() != "contents: read" {
		t.Errorf("caller floor %s %v", g, ok)
	}
	if _, ok := r.CallerFloor(mixed); ok {
		t.Error("a workflow nobody calls has a caller floor")
	}
}

func TestEffectiveReadDefaultAndCycles(t *testing.T) {
	t.Parallel()
	const a, b = ".github/workflows/a.yml", ".github/workflows/b.yml"
	r, fs := repoOf(t, map[string]string{
		a: "on: workflow_call\njobs:\n  call:\n    uses: ./.github/workflows/b.yml\n",
		b: "on: workflow_call\njobs:\n  call:\n    uses: ./.github/workflows/a.yml\n  leaf:\n    runs-on: x\n",
	}, "read")
	// GitHub refuses the cycle; the model ends it with the default.
	if e := r.Effective(fs[b], jobIn(t, fs[b], "leaf")); !e.Grant.Equal(Restricted()) {
		t.Errorf("leaf of a cycle: %s", e.Grant)
	}
}

// TestEffectiveCalledOIDC: a caller without a block lets a called job of
// the same repository ask for id-token: write; with a block of its own it
// passes on only what the block says.
func TestEffectiveCalledOIDC(t *testing.T) {
	t.Parallel()
	const caller, signs, plain, mixed = ".github/workflows/caller.yml", ".github/workflows/signs.yml",
		".github/workflows/plain.yml", ".github/workflows/mixed.yml"
	r, fs := repoOf(t, map[string]string{
		caller: `on: push
jobs:
  sign:
    uses: ./.github/workflows/signs.yml
  build:
    uses: ./.github/workflows/plain.yml
  both:
    uses: ./.github/workflows/mixed.yml
  declared:
    uses: ./.github/workflows/signs.yml
    permissions:
      contents: write
`,
		signs: "on: workflow_call\njobs:\n  s:\n    runs-on: x\n    permissions:\n      contents: write\n      id-token: write\n    steps: [{run: make}]\n",
		plain: "on: workflow_call\npermissions:\n  contents: read\njobs:\n  b:\n    runs-on: x\n    steps: [{run: make}]\n",
		mixed: "on: workflow_call\njobs:\n  s:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps: [{run: make}]\n  t:\n    runs-on: x\n    steps: [{run: make}]\n",
	}, "write")
	f := fs[caller]
	for _, c := range []struct {
		job         string
		oidc        string
		asks, mixed bool
	}{
		{"sign", Write, true, false},
		{"build", "", false, false},
		{"both", Write, true, true},
		{"declared", "", true, false},
	} {
		if got := r.Effective(f, jobIn(t, f, c.job)).Grant["id-token"]; got != c.oidc {
			t.Errorf("%s: id-token %q, want %q", c.job, got, c.oidc)
		}
		if asks, mixed := r.CalledOIDC(jobIn(t, f, c.job)); asks != c.asks || mixed != c.mixed {
			t.Errorf("%s: CalledOIDC = %v, %v", c.job, asks, mixed)
		}
	}
	if e := r.Effective(fs[signs], jobIn(t, fs[signs], "s")); e.Grant["id-token"] != Write {
		t.Errorf("the called job lost the OIDC token its caller passes on: %s", e.Grant)
	}
}

func TestGrantComment(t *testing.T) {
	t.Parallel()
	src := `on: push
permissions: # every job here publishes
  contents: write
jobs:
  a:
    runs-on: x
    permissions:
      # to push the changelog
      # and its tag
      contents: write
      issues: write # labels
      pages: write
`
	f, err := workflow.ParseWorkflow("w.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	top := f.Workflow.Permissions
	if c := GrantComment(f.Source.Src, top, &top.Scopes[0]); c == nil || !c.OnBlock || c.Text != "every job here publishes" {
		t.Errorf("block comment: %+v", c)
	}
	p := f.Workflow.Jobs[0].Permissions
	c := GrantComment(f.Source.Src, p, &p.Scopes[0])
	if c == nil || c.Text != "to push the changelog; and its tag" || c.Above != "      # to push the changelog\n      # and its tag\n" {
		t.Errorf("comment above: %+v", c)
	}
	if c := GrantComment(f.Source.Src, p, &p.Scopes[1]); c == nil || c.Trailing != "# labels" || c.Above != "" {
		t.Errorf("trailing comment: %+v", c)
	}
	if c := GrantComment(f.Source.Src, p, &p.Scopes[2]); c != nil {
		t.Errorf("uncommented grant has %+v", c)
	}
}
