package resolve

import (
	"context"
	"testing"
)

// TestHostileScopeKeys: what one installation cached about a repository
// never answers a lookup about another repository, or for another
// installation, however the installation IDs and repository names line up.
// Installation IDs are decimal strings, so "2" is a prefix of "21" and "1"
// a suffix of "21"; owners may start with digits ("2o").
func TestHostileScopeKeys(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	// o/r starts private: only installation 21 can see it.
	secret := lightweight()
	secret.private = true
	f.repos["o/r"] = secret
	// 2o/r is another (public) repository whose v4 is another commit.
	other := lightweight()
	other.tags = map[string]string{"v4": c5}
	f.repos["2o/r"] = other

	in := func(id string) context.Context { return WithScope(context.Background(), id) }
	got, err := r.Resolve(in("21"), "o", "r", "v4")
	if err != nil || got.SHA != c3 {
		t.Fatalf("installation 21, o/r@v4 = %+v, %v; want %s", got, err, c3)
	}
	// o/r is made public later; installation 1 now resolves it, which
	// shares its own answers about o/r with every installation.
	f.mu.Lock()
	secret.private = false
	f.mu.Unlock()
	if _, err := r.Resolve(in("1"), "o", "r", "v4"); err != nil {
		t.Fatal(err)
	}

	// Installation 2 asks about 2o/r twice (the first lookup learns it is
	// public, the second reads the shared entries), then the unscoped
	// resolver (the CLI) and installation 12 ask.
	for _, id := range []string{"2", "2", "", "12"} {
		got, err := r.Resolve(in(id), "2o", "r", "v4")
		if err != nil {
			t.Fatalf("installation %q: %v", id, err)
		}
		if got.Owner != "2o" || got.Repo != "r" || got.SHA != c5 {
			t.Errorf("installation %q, 2o/r@v4 = %+v; want 2o/r at %s (another repository's cached answer leaked)", id, got, c5)
		}
	}
}

// TestHostilePrivateStaysScoped: installation 2 never reads installation
// 21's answers about a repository that is private, even after
// installations with similar IDs shared what they know about public ones.
func TestHostilePrivateStaysScoped(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	priv := lightweight()
	priv.private = true
	f.repos["p/q"] = priv
	f.repos["x/y"] = lightweight()
	in := func(id string) context.Context { return WithScope(context.Background(), id) }

	if _, err := r.Resolve(in("21"), "p", "q", "v4"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1", "2", "21", "12"} {
		if _, err := r.Resolve(in(id), "x", "y", "v4"); err != nil {
			t.Fatal(err)
		}
	}
	f.reset()
	if _, err := r.Resolve(in("2"), "p", "q", "v4"); err != nil {
		t.Fatal(err)
	}
	if f.count() == 0 {
		t.Errorf("installation 2 was answered about private p/q from installation 21's cache")
	}
}
