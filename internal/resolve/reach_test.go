package resolve

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
)

func TestReachable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		sha       string
		want      string
		wantErr   error
		wantCalls int
	}{
		"default branch head": {c4, "main", nil, 2},
		"default branch past": {c1, "main", nil, 2},
		"other branch only":   {c5, "releases/v3", nil, 4},
		"fork commit":         {f1, "", ErrUnreachable, 5},
		"unknown commit":      {sha("dd"), "", ErrNotFound, 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			f.repos["o/lw"] = lightweight()
			got, err := r.Reachable(context.Background(), "o", "lw", tc.sha)
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
			}
			if calls := f.reset(); len(calls) != tc.wantCalls {
				t.Errorf("%d requests, want %d: %q", len(calls), tc.wantCalls, calls)
			}
		})
	}
}

func TestContains(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		sha     string
		want    bool
		wantErr error
	}{
		"on default branch":  {c3, true, nil},
		"on other branch":    {c5, true, nil},
		"only tagged":        {t1, true, nil},
		"impostor from fork": {f1, false, nil},
		"unknown commit":     {sha("dd"), false, ErrNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			repo := lightweight()
			delete(repo.tags, "bad") // the impostor is tagged nowhere here
			f.repos["o/lw"] = repo
			got, err := r.Contains(context.Background(), "o", "lw", tc.sha)
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Errorf("got %v, %v; want %v, %v", got, err, tc.want, tc.wantErr)
			}
			f.reset()
			if again, _ := r.Contains(context.Background(), "o", "lw", tc.sha); again != got {
				t.Error("cached answer differs")
			}
			if calls := f.reset(); len(calls) != 0 {
				t.Errorf("warm: %q", calls)
			}
		})
	}
}

// A commit that only an annotated release tag contains is found by
// comparing against the newest tags.
func TestContainsThroughTagCompare(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	repo := annotated()
	repo.branches = map[string]string{"main": c1}
	repo.tags["v6.0.0"] = sha("a7")
	repo.objs[sha("a7")] = c4
	f.repos["o/ann"] = repo
	ok, err := r.Contains(context.Background(), "o", "ann", c2)
	if err != nil || !ok {
		t.Fatalf("got %v, %v", ok, err)
	}
	calls := f.reset()
	// repo, compare main, branches, tags, compare v6.0.0...c2.
	if len(calls) != 5 || !slices.Contains(calls, "GET /repos/o/ann/compare/v6.0.0..."+c2) {
		t.Errorf("%d requests: %q", len(calls), calls)
	}
}

func TestTagsAt(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		repo      string
		sha       string
		want      []string
		wantCalls int
	}{
		"lightweight":          {"lw", c3, []string{"v4.2.2", "v4.2", "v4", "v4.2.3-rc.1"}, 1},
		"both prefix styles":   {"lw", c1, []string{"v1.2.3", "1.2.3", "v1", "1"}, 1},
		"non-version only":     {"lw", c4, []string{"latest"}, 1},
		"no tag":               {"lw", sha("dd"), nil, 1},
		"annotated, no hint":   {"ann", c3, []string{"v4.2.2", "v4"}, 4},
		"annotated nested":     {"ann", c4, []string{"v5"}, 5},
		"annotated older":      {"ann", c1, []string{"v3"}, 7},
		"annotated none match": {"ann", sha("dd"), nil, 7},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, r := newFake(t)
			f.repos["o/lw"], f.repos["o/ann"] = lightweight(), annotated()
			got, err := r.TagsAt(context.Background(), "o", tc.repo, tc.sha)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if calls := f.reset(); len(calls) != tc.wantCalls {
				t.Errorf("%d requests, want %d: %q", len(calls), tc.wantCalls, calls)
			}
		})
	}
}

// Without a hint the number of tag objects dereferenced is bounded.
func TestTagsAtDerefBudget(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	repo := annotated()
	f.repos["o/ann"] = repo
	r.maxDerefs = 2
	got, err := r.TagsAt(context.Background(), "o", "ann", c1) // v3 ranks last
	if err != nil || got != nil {
		t.Fatalf("got %q, %v", got, err)
	}
	if calls := f.reset(); len(calls) != 1+2 {
		t.Errorf("%d requests: %q", len(calls), calls)
	}
}

func TestTagListPages(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	repo := lightweight()
	for i := range 250 {
		repo.tags["build-"+string(rune('a'+i%26))+string(rune('a'+i/26))] = c1
	}
	f.repos["o/lw"] = repo
	pin, err := r.Resolve(context.Background(), "o", "lw", "v4")
	if err != nil || pin.Tag != "v4.2.2" {
		t.Fatalf("got %+v, %v", pin, err)
	}
	// 264 tags: three pages of 100, then repo and compare.
	if calls := f.reset(); len(calls) != 5 {
		t.Errorf("%d requests: %q", len(calls), calls)
	}
}

// A tag beyond a truncated tag list is still found directly.
func TestTruncatedTagList(t *testing.T) {
	t.Parallel()
	f, r := newFake(t)
	repo := lightweight()
	for i := range 150 {
		repo.tags["a-"+string(rune('a'+i%26))+string(rune('a'+i/26))] = c1
	}
	f.repos["o/lw"] = repo
	r.maxPages = 1
	pin, err := r.Resolve(context.Background(), "o", "lw", "v4.2.1")
	if err != nil || pin.SHA != c2 {
		t.Fatalf("got %+v, %v", pin, err)
	}
	if calls := f.reset(); !slices.Contains(calls, "GET /repos/o/lw/git/ref/tags/v4.2.1") {
		t.Errorf("no direct lookup: %q", calls)
	}
}

func TestBetter(t *testing.T) {
	t.Parallel()
	names := []string{"latest", "v4", "v4.2", "v4.2.2", "v4.2.3-rc.1", "4.2.2", "v4.1.9", "V4.2.2+build", "main"}
	tags := make([]tagRef, len(names))
	for i, n := range names {
		tags[i] = tagRef{name: n, ver: parseVersion(n)}
	}
	sort.Slice(tags, func(i, j int) bool { return better(tags[i], tags[j], parseVersion("v4")) })
	var got []string
	for _, t := range tags {
		got = append(got, t.name)
	}
	want := []string{"V4.2.2+build", "v4.2.2", "v4.1.9", "4.2.2", "v4.2", "v4", "v4.2.3-rc.1", "latest", "main"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
