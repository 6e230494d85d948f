package signing

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/golden"
)

// This repository's own release workflow is exactly what the signing
// remediation writes for it (a Go project with a GoReleaser
// configuration): the product and its release do not drift apart.
// `go test ./remediations/signing -run TestOwnReleaseWorkflow -update`
// rewrites the workflow from the template.
func TestOwnReleaseWorkflow(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	files := fstest.MapFS{}
	for _, p := range []string{"go.mod", "cmd/hardener/main.go", ".goreleaser.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		files[p] = &fstest.MapFile{Data: b}
	}
	e := env(files)
	e.Snapshot.Owner, e.Snapshot.Name = "hardener", "hardener"
	res, err := Signing{}.Apply(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	const wf = ".github/workflows/release.yml"
	if len(res.Changes) != 1 || res.Changes[0].Path != wf {
		t.Fatalf("changes = %+v", res.Changes)
	}
	got := res.Changes[0].After
	lintClean(t, files, res.Changes[0])
	path := filepath.Join(root, filepath.FromSlash(wf))
	if *golden.Update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from what the signing remediation writes for this repository; run the test with -update:\n%s", wf, got)
	}
}
