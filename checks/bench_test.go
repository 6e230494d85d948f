package checks

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

// benchRepo builds a repository of n workflows in the shapes real projects
// use: a matrix build, a release job, a pull_request_target workflow and a
// reusable workflow call.
func benchRepo(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < n; i++ {
		src := fmt.Sprintf(`name: wf-%d
on:
  push:
    branches: [main]
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest, windows-latest]
        go: ["1.21", "1.22"]
    container: golang:1.22
    services:
      redis: {image: "redis:7"}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-go@0c52d547c9bc32b1aa3301fd7a9cb496313a4491 # v5.0.0
        with: {go-version: "${{ matrix.go }}"}
      - run: |
          go test ./...
          echo "${{ github.event.pull_request.title }}"
      - uses: actions/upload-artifact@v4
        with: {name: out-%d, path: .}
  release:
    needs: test
    permissions:
      contents: write
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: softprops/action-gh-release@v2
        with: {files: "dist/*"}
  call:
    uses: org/shared/.github/workflows/build.yml@v1
    secrets: inherit
`, i, i)
		fsys[fmt.Sprintf(".github/workflows/wf-%02d.yml", i)] = &fstest.MapFile{Data: []byte(src)}
	}
	fsys["Dockerfile"] = &fstest.MapFile{Data: []byte("FROM golang:1.22 AS build\nFROM gcr.io/distroless/static\n")}
	return fsys
}

// BenchmarkScan50 scans a repository of 50 workflows with every offline
// rule, parsing included (a fresh snapshot each iteration). actionlint's
// verdicts are kept by content across scans, as in the App's rescans;
// BenchmarkScan50Cold measures a first scan.
func BenchmarkScan50(b *testing.B) {
	fsys := benchRepo(50)
	ctx := context.Background()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		res := Scan(ctx, repo.New(fsys, ""), Options{})
		n = len(res.Findings)
	}
	b.ReportMetric(float64(n), "findings")
}
