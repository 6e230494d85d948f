package resolve

import (
	"context"
	"testing"
)

// TestScopes: answers about a public repository are shared by every
// installation; about a private one, each installation asks GitHub itself.
func TestScopes(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	f.repos["o/pub"] = lightweight()
	priv := lightweight()
	priv.private = true
	f.repos["o/priv"] = priv
	a := WithScope(context.Background(), "installation-1")
	b := WithScope(context.Background(), "installation-2")

	for _, repo := range []string{"pub", "priv"} {
		f.reset()
		pa, err := r.Resolve(a, "o", repo, "v4")
		if err != nil {
			t.Fatal(err)
		}
		cold := f.count()
		f.reset()
		pb, err := r.Resolve(b, "o", repo, "v4")
		if err != nil {
			t.Fatal(err)
		}
		if pa != pb {
			t.Errorf("%s: %+v vs %+v", repo, pa, pb)
		}
		warm := f.count()
		switch repo {
		case "pub":
			if warm != 0 {
				t.Errorf("public repository: the second installation made %d requests, want 0 (shared cache)", warm)
			}
		case "priv":
			if warm != cold {
				t.Errorf("private repository: the second installation made %d requests, want its own %d", warm, cold)
			}
		}
		f.reset()
		if _, err := r.Resolve(b, "o", repo, "v4"); err != nil || f.count() != 0 {
			t.Errorf("%s: a repeat in the same installation made %d requests", repo, f.count())
		}
	}
}
