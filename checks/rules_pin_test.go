package checks

import "testing"

func TestUnpinnedImageFromMatrix(t *testing.T) {
	t.Parallel()
	runCases(t, RuleUnpinnedImage, map[string]ruleCase{
		"matrix values, include, exclude, partial template": {files: map[string]string{wf: `on: push
env:
  REDIS: redis:7
jobs:
  a:
    strategy:
      matrix:
        image: ['postgres:15', 'postgres:16', "postgres@sha256:0000000000000000000000000000000000000000000000000000000000000000"]
        os: [x, y]
        include:
          - image: 'postgres:17'
        exclude:
          - image: 'postgres:15'
    container: ${{ matrix.image }}
    services:
      cache:
        image: ${{ env.REDIS }}
  b:
    strategy:
      matrix:
        node: [18, 20]
    container:
      image: node:${{ matrix.node }}-alpine
  dynamic:
    strategy:
      matrix: ${{ fromJSON(needs.plan.outputs.m) }}
    container: ${{ matrix.image }}
  two-exprs:
    strategy:
      matrix: {r: [a], t: [b]}
    container: ${{ matrix.r }}/x:${{ matrix.t }}
  from-input:
    strategy:
      matrix:
        image: ['${{ inputs.image }}']
    container: ${{ matrix.image }}
`}, want: []string{wf + ":11:21 medium", wf + ":21:16 medium", wf + ":21:20 medium", wf + ":8:33 medium"}},
		"dockerfile comment inside a continuation": {files: map[string]string{"Dockerfile": "FROM \\\n  # the base image\n  node:20\n"},
			want: []string{"Dockerfile:3:3 medium"}},
	})
}

func TestSelfRepositoryUses(t *testing.T) {
	t.Parallel()
	files := map[string]string{wf: `on: push
jobs:
  call:
    uses: $/.github/workflows/reusable.yml
  a:
    steps:
      - uses: $/.github/actions/build
      - uses: ./.github/actions/build
`}
	runCases(t, RuleUnpinnedUses, map[string]ruleCase{"never unpinned": {files: files, want: nil}})
	for in, want := range map[string]Uses{
		"$/.github/actions/x":           {Local: true, Self: true, Path: "$/.github/actions/x"},
		"$/.github/workflows/w.yml":     {Local: true, Self: true, Path: "$/.github/workflows/w.yml"},
		"./.github/actions/x":           {Local: true, Path: "./.github/actions/x"},
		"actions/checkout@v4":           {Owner: "actions", Repo: "checkout", Ref: "v4"},
		"o/r/.github/workflows/w.yml@x": {Owner: "o", Repo: "r", Path: ".github/workflows/w.yml", Ref: "x"},
	} {
		got, ok := ParseUses(in)
		if !ok || got != want {
			t.Errorf("ParseUses(%q) = %+v, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"$/.github/actions/x@v1", "$/", "${{ matrix.a }}"} {
		if _, ok := ParseUses(bad); ok {
			t.Errorf("ParseUses(%q) accepted", bad)
		}
		if UsesProblem(bad) == "" {
			t.Errorf("UsesProblem(%q) is empty", bad)
		}
	}
	if p := (Uses{Local: true, Self: true, Path: "$/a/b/"}).LocalPath(); p != "a/b" {
		t.Errorf("LocalPath = %q", p)
	}
	if p := (Uses{Local: true, Path: "./"}).LocalPath(); p != "." {
		t.Errorf("LocalPath of ./ = %q", p)
	}
}
