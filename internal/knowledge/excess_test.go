package knowledge

import (
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/workflow"
)

func TestExcess(t *testing.T) {
	f, err := workflow.ParseWorkflow(".github/workflows/x.yml", []byte(`on: push
permissions:
  contents: write
  issues: write
jobs:
  build:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
  rel:
    runs-on: x
    steps:
      - uses: softprops/action-gh-release@v2
  bot:
    runs-on: x
    permissions: write-all
    steps:
      - uses: actions/labeler@v5
  unknown:
    runs-on: x
    steps:
      - uses: someone/else@v1
`))
	if err != nil {
		t.Fatal(err)
	}
	w := f.Workflow
	got := map[string][]string{}
	for _, j := range w.Jobs {
		for _, e := range Excess(w, j) {
			if e.At == nil {
				t.Errorf("%s %s: no location", j.ID, e.Scope)
			}
			tag := e.Scope
			if e.Inherited {
				tag += "^"
			}
			got[j.ID] = append(got[j.ID], tag)
		}
	}
	want := map[string]string{
		"build":   "contents^ issues^",
		"rel":     "issues^",
		"bot":     "actions attestations checks contents deployments discussions id-token issues packages pages repository-projects security-events statuses",
		"unknown": "",
	}
	for job, w := range want {
		if g := strings.Join(got[job], " "); g != w {
			t.Errorf("%s: %q, want %q", job, g, w)
		}
	}
}
