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
	} {
		f.Add(".github/workflows/w.yml", s)
		f.Add("action.yml", s)
	}
	f.Add("Dockerfile", "FROM golang:1.22 AS b\nFROM \\\n  b\nFROM scratch\n")
	f.Fuzz(func(t *testing.T, name, src string) {
		path := ".github/workflows/w.yml"
		switch {
		case len(name) > 0 && name[0]%3 == 1:
			path = "action.yml"
		case len(name) > 0 && name[0]%3 == 2:
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
		}
		for _, u := range file.Uses() {
			check(u)
		}
		for _, img := range file.Images {
			check(&img.Value)
		}
		for _, js := range file.Steps() {
			check(js.Step.Run)
			for i := range js.Step.With {
				check(&js.Step.With[i].Value)
			}
		}
		if file.Dockerfile != nil {
			for i := range file.Dockerfile.Froms {
				check(&file.Dockerfile.Froms[i].Image)
			}
		}
	})
}
