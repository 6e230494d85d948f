package fixer_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/fixer"
	"github.com/hardener/hardener/remediations/pin"
)

// repo50 is a repository of 50 workflows without permissions, each using
// the same five actions and a container image.
func repo50() fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < 50; i++ {
		fsys[fmt.Sprintf(".github/workflows/wf-%02d.yml", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`name: wf-%d
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    container: golang:1.22
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with: {go-version: "1.22"}
      - uses: actions/cache@v4
        with: {path: ~/go, key: go-%d}
      - run: go test ./...
      - uses: actions/upload-artifact@v4
        with: {name: out-%d, path: out/}
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: softprops/action-gh-release@v2
`, i, i, i))}
	}
	return fsys
}

func env50(t testing.TB, f *githubfake.Fake, r *resolve.Resolver) *remediations.Env {
	return &remediations.Env{
		Snapshot: repo.New(repo50(), ""), Config: config.Default(),
		Resolver: r, Images: pin.Registry{Client: fakeRegistry(t)}, DefaultTokenPermissions: "write",
	}
}

// TestFix50RequestCount: a cold cache costs a bounded number of requests
// per distinct owner/repo@ref, whatever the number of workflows.
func TestFix50RequestCount(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	upstream(f)
	r := resolve.New(f.Client())
	out, err := fixer.Run(context.Background(), env50(t, f, r), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.After) < 50 {
		t.Fatalf("%d files changed, want every workflow", len(out.After))
	}
	cold := len(f.Requests())
	// 5 distinct owner/repo@ref: per repository one tag list, one
	// repository lookup (default branch) and one reachability compare,
	// plus annotated-tag dereferences.
	const distinct = 5
	t.Logf("cold cache: %d GitHub requests for 50 workflows, %d distinct refs", cold, distinct)
	if cold > distinct*5 {
		t.Errorf("cold cache made %d requests, want at most %d", cold, distinct*5)
	}
	f.ResetCounts()
	if _, err := fixer.Run(context.Background(), env50(t, f, r), nil); err != nil {
		t.Fatal(err)
	}
	if warm := len(f.Requests()); warm != 0 {
		t.Errorf("warm cache made %d requests", warm)
	}
}

// BenchmarkFix50 fixes 50 workflows with every default remediation on a
// warm resolver cache (pins, permissions, images, policy, Dependabot,
// with actionlint checking every changed workflow).
func BenchmarkFix50(b *testing.B) {
	f := githubfake.New(b)
	upstream(f)
	r := resolve.New(f.Client())
	ctx := context.Background()
	if _, err := fixer.Run(ctx, env50(b, f, r), nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fixer.Run(ctx, env50(b, f, r), nil); err != nil {
			b.Fatal(err)
		}
	}
}
