package workflow

import (
	"testing"
	"time"
)

// FuzzParse checks that any input parses or fails with a ParseError, never
// panics, and that every position the model reports lies inside the file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n",
		"on: push\r\njobs:\r\n  a:\r\n    steps:\r\n      - {uses: 'a/b@v1', with: {x: \"${{ github.head_ref }}\"}}\r\n",
		"on: [pull_request_target]\njobs:\n  a: &j\n    container: {image: node:20}\n    steps: &s\n      - run: |\n          echo ${{ github.event.issue.title }}\n  b: *j\n",
		"name: x\nruns:\n  using: composite\n  steps:\n    - uses: &u a/b@v1\n    - uses: *u\n",
		"\xef\xbb\xbfon: push\njobs: {a: {permissions: write-all, services: {db: {image: 'postgres:16'}}}}\n",
		"on:\n  workflow_call:\n    inputs:\n      t: {type: string, default: \"${{ github.head_ref }}\"}\n    outputs:\n      o: {value: \"${{ jobs.a.outputs.x }}\"}\n" +
			"defaults: {run: {shell: pwsh}}\njobs:\n  a:\n    outputs: {x: \"${{ steps.s.outputs.y }}\"}\n    strategy:\n      matrix:\n" +
			"        img: &i ['node:20', \"${{ inputs.t }}\"]\n        other: *i\n        include: [{img: 'x:1', extra: {k: [1, 2]}}]\n        exclude: [{img: 'node:20'}]\n" +
			"    container: ${{ matrix.img }}\n    steps:\n      - id: s\n        run: >\n          echo ${{\n          github.event.issue.title }}\n",
		"on: pull_request_target\r\njobs:\r\n  a:\r\n    if: >-\r\n      github.actor == 'dependabot[bot]'\r\n    steps:\r\n      - uses: $/.github/actions/x\r\n      - {run: \"echo \\\"${{ github.head_ref }}\\\"\\n\", shell: bash}\r\n",
		"on: push\njobs:\n  a:\n    strategy: {matrix: \"${{ fromJSON(needs.p.outputs.m) }}\"}\n    steps:\n      - run: 'a ''${{ x }}'' b'\n      - run: \"a\\u263a ${{ y }}\\x41\"\n",
	} {
		f.Add(".github/workflows/w.yml", s)
		f.Add("action.yml", s)
	}
	f.Add("Dockerfile", "FROM golang:1.22 AS b\nFROM \\\n  b\nFROM scratch\n")
	f.Fuzz(func(t *testing.T, name, src string) {
		// The seeds name their kind; other inputs pick one from a byte.
		path := ".github/workflows/w.yml"
		switch {
		case name == path:
		case name == "action.yml" || name != "Dockerfile" && len(name) > 0 && name[0]%3 == 1:
			path = "action.yml"
		case name == "Dockerfile" || len(name) > 0 && name[0]%3 == 2:
			path = "Dockerfile"
		}
		type parsed struct {
			file *File
			err  error
		}
		done := make(chan parsed, 1)
		go func() {
			f, err := Parse(path, []byte(src))
			done <- parsed{f, err}
		}()
		var file *File
		var err error
		select {
		case r := <-done:
			file, err = r.file, r.err
		case <-time.After(3 * time.Second):
			t.Fatalf("Parse(%q) took over 3s on %d bytes", path, len(src))
		}
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a ParseError: %v", err, err)
			}
			return
		}
		check := func(v *Value) {
			if v == nil {
				return
			}
			if v.ContentStart < 0 || v.ContentStart > len(src) || v.ContentEnd > len(src) || v.End > len(src) {
				t.Fatalf("value %q span [%d,%d) outside the %d-byte file", v.Value, v.ContentStart, v.ContentEnd, len(src))
			}
			if v.ContentEnd >= 0 && src[v.ContentStart:v.ContentEnd] != v.Value {
				t.Fatalf("editable span %q differs from value %q", src[v.ContentStart:v.ContentEnd], v.Value)
			}
			if v.Line < 1 || v.Line > file.Source.Lines() || v.Column < 1 {
				t.Fatalf("value %q at %d:%d outside the file", v.Value, v.Line, v.Column)
			}
			for _, off := range ExprPositions(file.Source.Src, v) {
				if off < 0 || off > len(src) {
					t.Fatalf("expression offset %d outside the file", off)
				}
			}
			for _, x := range Expressions(v.Value) {
				x.Flows() // must not panic on any expression text
			}
		}
		for _, u := range file.Uses() {
			check(u)
		}
		for _, img := range file.Images {
			check(&img.Value)
		}
		for _, js := range file.Steps() {
			check(js.Step.Run)
			check(js.Step.If)
			check(js.Step.Shell)
			for i := range js.Step.With {
				check(&js.Step.With[i].Value)
			}
			for i := range js.Step.Env {
				check(&js.Step.Env[i].Value)
			}
		}
		if w := file.Workflow; w != nil {
			for i := range w.Inputs {
				check(w.Inputs[i].Default)
			}
			for i := range w.CallOutputs {
				check(w.CallOutputs[i].Value)
			}
			for _, j := range w.Jobs {
				check(j.If)
				for i := range j.Outputs {
					check(j.Outputs[i].Value)
				}
				if j.Matrix != nil {
					for _, r := range j.Matrix.Rows {
						vals, dyn := j.Matrix.Values([]string{r.Key.Value})
						for _, v := range append(vals, dyn...) {
							check(v)
						}
					}
				}
			}
		}
		if a := file.Action; a != nil {
			for i := range a.InputDefs {
				check(a.InputDefs[i].Default)
			}
			for i := range a.Outputs {
				check(a.Outputs[i].Value)
			}
		}
		if file.Dockerfile != nil {
			for i := range file.Dockerfile.Froms {
				check(&file.Dockerfile.Froms[i].Image)
			}
		}
	})
}

// FuzzExpr checks that the expression parser and the value flow never
// panic and that node spans stay inside the text.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"github.event.issue.title", "toJSON(github.event) || 'x'", "a[b['c']].d.* == 1 && !e",
		"format('{0}', inputs.x, fromJSON(steps.a.outputs.m)[0].y)", "contains(fromJSON('[\"a\"]'), github.actor)",
		"((((a))))", "-1.5e+3 < 0x10", "'it''s'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseExpr(s)
		if err != nil {
			return
		}
		n.Walk(func(x *Node) {
			if x.Start < 0 || x.End > len(s) || x.Start > x.End {
				t.Fatalf("node %+v spans [%d,%d) of %d bytes", x, x.Start, x.End, len(s))
			}
			if x.Ref != nil && (x.Ref.Offset < 0 || x.Ref.Offset+len(x.Ref.Raw) > len(s)) {
				t.Fatalf("context %q at %d outside %q", x.Ref.Raw, x.Ref.Offset, s)
			}
		})
		n.Flows()
	})
}
