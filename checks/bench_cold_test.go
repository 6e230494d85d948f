package checks

import (
	"context"
	"testing"

	"github.com/hardener/hardener/internal/repo"
)

// BenchmarkScan50Cold is BenchmarkScan50 with actionlint's verdicts
// forgotten before every scan: the cost of a first scan in a fresh
// process (the CLI), where BenchmarkScan50 measures the App's rescans of
// unchanged workflows.
func BenchmarkScan50Cold(b *testing.B) {
	fsys := benchRepo(50)
	ctx := context.Background()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		lintCache.reset()
		res := Scan(ctx, repo.New(fsys, ""), Options{})
		n = len(res.Findings)
	}
	b.ReportMetric(float64(n), "findings")
}

func TestVerdictCacheBound(t *testing.T) {
	t.Parallel()
	c := newVerdictCache(2)
	srcs := [][]byte{[]byte("on: push\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n"),
		[]byte("on: push\njobs: {a: {steps: [{run: b}]}}\n"), []byte("on: push\njobs: {}\n")}
	for _, s := range srcs {
		c.errors(s)
	}
	if c.order.Len() != 2 || len(c.m) != 2 {
		t.Fatalf("cache holds %d/%d entries, want 2", c.order.Len(), len(c.m))
	}
	if errs := c.errors(srcs[1]); len(errs) == 0 {
		t.Error("the cached verdict lost the missing runs-on")
	}
}
