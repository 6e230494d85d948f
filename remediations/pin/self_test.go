package pin

import (
	"context"
	"strings"
	"testing"
)

// TestSelfRepositoryRefsUntouched: `uses: $/…` names this repository at
// the running commit; pin-actions never resolves, rewrites or reports it,
// whether it is well formed or carries a (forbidden) @ref.
func TestSelfRepositoryRefsUntouched(t *testing.T) {
	src := `on: push
jobs:
  call:
    uses: $/.github/workflows/reusable.yml
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: $/.github/actions/build
      - uses: $/.github/actions/broken@v1
      - uses: actions/checkout@v4
`
	env := newEnv(map[string][]byte{".github/workflows/self.yml": []byte(src)}, universe(t))
	counting := &countingResolver{r: env.Resolver, calls: map[string]int{}}
	res, err := pinActions(context.Background(), env, counting)
	if err != nil {
		t.Fatal(err)
	}
	for k := range counting.calls {
		if strings.Contains(k, "$") {
			t.Errorf("resolver asked about a self-repository ref: %s", k)
		}
	}
	if len(res.Changes) != 1 {
		t.Fatalf("%d changes, want 1", len(res.Changes))
	}
	after := string(res.Changes[0].After)
	for _, keep := range []string{"uses: $/.github/workflows/reusable.yml\n", "uses: $/.github/actions/build\n", "uses: $/.github/actions/broken@v1\n"} {
		if !strings.Contains(after, keep) {
			t.Errorf("%q was rewritten:\n%s", keep, after)
		}
	}
	if strings.Contains(after, "actions/checkout@v4\n") {
		t.Errorf("the remote action was not pinned:\n%s", after)
	}
	for _, n := range res.Notes {
		if strings.Contains(n.Message, "$/") {
			t.Errorf("a self-repository ref was reported: %s", n.Message)
		}
	}
}
