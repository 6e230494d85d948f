package workflow

import (
	"fmt"
	"reflect"
	"testing"
)

func TestContextPaths(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"github.event.issue.title":                            {"github.event.issue.title"},
		"inputs.x":                                            {"inputs.x"},
		"steps.s.outputs.o":                                   {"steps.s.outputs.o"},
		"matrix.os == 'ubuntu' && env.X":                      {"matrix.os", "env.x"},
		"github.event['pull_request']['title']":               {"github.event.pull_request.title"},
		"toJSON(github.event.commits[0].message)":             {"github.event.commits.*.message"},
		"github.event.commits.*.author.email":                 {"github.event.commits.*.author.email"},
		"format('{0} ''x'' {1}', github.head_ref, secrets.T)": {"github.head_ref", "secrets.t"},
		"true || false || null || 1.5":                        nil,
		"github.event.pages[ github.x ].page_name":            {"github.event.pages.*.page_name", "github.x"},
	}
	for in, want := range tests {
		if got := ContextPaths(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ContextPaths(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpressions(t *testing.T) {
	t.Parallel()
	got := Expressions("echo ${{ github.event.issue.title }} and ${{ '}}' }} ${{ unterminated")
	if len(got) != 2 || got[0].Offset != 5 || got[0].Raw != "${{ github.event.issue.title }}" || got[1].Raw != "${{ '}}' }}" {
		t.Fatalf("got %+v", got)
	}
}

func TestExprPositionsInBlock(t *testing.T) {
	t.Parallel()
	src := "on: issues\njobs:\n  a:\n    steps:\n      - run: |\n          echo hi\n          echo \"${{ github.event.issue.title }}\"\n"
	f, err := ParseWorkflow(".github/workflows/x.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	run := f.Workflow.Jobs[0].Steps[0].Run
	offs := ExprPositions(f.Source.Src, run)
	l, c := f.Source.Position(offs[0])
	if l != 7 || c != 17 {
		t.Fatalf("expression at %d:%d, want 7:17", l, c)
	}
}

func TestDockerfileCommentInContinuation(t *testing.T) {
	t.Parallel()
	src := "FROM \\\n  # the base image\n\n  node:20 AS build\nRUN echo \\\n# FROM evil:1\n  done\nFROM \\\n# only comments\n"
	f, err := ParseDockerfile("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fr := range f.Dockerfile.Froms {
		got = append(got, fmt.Sprintf("%s %d:%d %s", fr.Image.Value, fr.Image.Line, fr.Image.Column, fr.Stage))
	}
	if want := []string{"node:20 4:3 build"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	src := "# syntax=docker/dockerfile:1\nARG BASE=alpine:3\nFROM golang:1.22 AS build\nRUN go build\nFROM --platform=$BUILDPLATFORM build AS again\nFROM ${BASE}\nfrom scratch\nFROM \\\n  gcr.io/distroless/static@sha256:abc\nFROM node:20\r\n"
	f, err := ParseDockerfile("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		img, skip string
		line, col int
	}
	var got []row
	for _, fr := range f.Dockerfile.Froms {
		got = append(got, row{fr.Image.Value, fr.Skip, fr.Image.Line, fr.Image.Column})
	}
	want := []row{{"golang:1.22", "", 3, 6}, {"build", "stage", 5, 32}, {"${BASE}", "arg", 6, 6}, {"scratch", "scratch", 7, 6}, {"gcr.io/distroless/static@sha256:abc", "", 9, 3}, {"node:20", "", 10, 6}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
