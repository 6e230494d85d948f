package pin

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// stubResolver answers every ref without a network: a SHA derived from the
// key, tag v1.2.3; refs containing "missing" are not found and refs
// containing "moved" are unreachable.
type stubResolver struct{}

func stubSHA(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return strings.Repeat(fmt.Sprintf("%016x", h.Sum64()), 3)[:40]
}

func (stubResolver) Resolve(_ context.Context, owner, repo, ref string) (resolve.Pin, error) {
	pin := resolve.Pin{Owner: owner, Repo: repo, Ref: ref, SHA: stubSHA(owner + "/" + repo + "@" + ref), Tag: "v1.2.3"}
	switch {
	case strings.Contains(ref, "missing"):
		return resolve.Pin{}, resolve.ErrNotFound
	case strings.Contains(ref, "moved"):
		return pin, resolve.ErrUnreachable
	}
	return pin, nil
}

func (stubResolver) TagsAt(context.Context, string, string, string) ([]string, error) {
	return []string{"v9.9.9", "v9"}, nil
}

func snapshotOf(path string, src []byte) *repo.Snapshot {
	return repo.New(fstest.MapFS{path: &fstest.MapFile{Data: src}}, "")
}

// FuzzPinActions applies pin-actions to any workflow bytes: it must not
// panic, an input that parsed must still parse, and only lines holding a
// `uses:` value may change (and only from the value on).
func FuzzPinActions(f *testing.F) {
	for _, c := range cases(f) {
		if strings.HasSuffix(c.path, ".yml") {
			f.Add(c.src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const path = ".github/workflows/fuzz.yml"
		_, perr := workflow.Parse(path, src)
		env := &remediations.Env{Snapshot: snapshotOf(path, src), Config: config.Default()}
		res, err := pinActions(context.Background(), env, stubResolver{})
		if err != nil && !errors.Is(err, remediations.ErrNothingToFix) {
			t.Fatal(err)
		}
		for _, n := range res.Notes {
			if strings.Contains(n.Message, "would not be valid") {
				t.Fatalf("an edit broke the file: %s\n%q", n.Message, src)
			}
		}
		if perr != nil {
			if len(res.Changes) > 0 {
				t.Fatalf("changed a file that does not parse: %v", perr)
			}
			return
		}
		for _, ch := range res.Changes {
			checkPreserved(t, path, src, ch.After)
		}
	})
}
