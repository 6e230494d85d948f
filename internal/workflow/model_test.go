package workflow

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// at returns the text of src at a value's content span.
func at(t *testing.T, f *File, v *Value) string {
	t.Helper()
	if v == nil {
		t.Fatal("nil value")
	}
	line, col := f.Source.Position(v.ContentStart)
	if line != v.Line || col != v.Column {
		t.Errorf("value %q: position %d:%d but offset says %d:%d", v.Value, v.Line, v.Column, line, col)
	}
	if v.ContentEnd < 0 {
		return string(f.Source.Src[v.ContentStart:])
	}
	return string(f.Source.Src[v.ContentStart:v.ContentEnd])
}

func TestWorkflowShapes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		uses []string // expected uses values with line:col
		pos  []string
	}{
		"plain": {
			src:  "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo\n",
			uses: []string{"actions/checkout@v4"}, pos: []string{"6:15"},
		},
		"crlf and quotes": {
			src:  "on: [push]\r\njobs:\r\n  a:\r\n    steps:\r\n      - 'uses': \"actions/setup-go@v5\" # v5\r\n      - uses: 'a/b@v1'\r\n",
			uses: []string{"actions/setup-go@v5", "a/b@v1"}, pos: []string{"5:18", "6:16"},
		},
		"flow mapping and odd indent": {
			src:  "on: push\njobs:\n a:\n   steps:\n   -   {name: x, uses: x/y@main}\n   -    uses:   z/w/path@v2\n",
			uses: []string{"x/y@main", "z/w/path@v2"}, pos: []string{"5:24", "6:17"},
		},
		"anchor and alias": {
			src:  "on: push\njobs:\n  a:\n    steps: &s\n      - uses: &co actions/checkout@v4\n  b:\n    steps: *s\n  c:\n    steps:\n      - uses: *co\n",
			uses: []string{"actions/checkout@v4"}, pos: []string{"5:19"},
		},
		"reusable workflow and BOM": {
			src:  "\xef\xbb\xbfon: push\njobs:\n  call:\n    uses: org/repo/.github/workflows/w.yml@v1\n    secrets: inherit\n",
			uses: []string{"org/repo/.github/workflows/w.yml@v1"}, pos: []string{"4:11"},
		},
		"unicode before value": {
			src:  "on: push\njobs:\n  a:\n    steps:\n      - name: é\n        uses: a/b@v1 # ü\n",
			uses: []string{"a/b@v1"}, pos: []string{"6:15"},
		},
		"merge key": {
			src:  "on: push\nx-base: &base\n  uses: a/b@v1\njobs:\n  a:\n    steps:\n      - <<: *base\n        name: n\n",
			uses: []string{"a/b@v1"}, pos: []string{"3:9"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := ParseWorkflow(".github/workflows/ci.yml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			uses := f.Uses()
			if len(uses) != len(tc.uses) {
				t.Fatalf("got %d uses, want %d", len(uses), len(tc.uses))
			}
			for i, u := range uses {
				if u.Value != tc.uses[i] {
					t.Errorf("uses[%d] = %q, want %q", i, u.Value, tc.uses[i])
				}
				if got := at(t, f, u); got != tc.uses[i] {
					t.Errorf("uses[%d] source span = %q", i, got)
				}
				if got := fmt.Sprintf("%d:%d", u.Line, u.Column); got != tc.pos[i] {
					t.Errorf("uses[%d] at %s, want %s", i, got, tc.pos[i])
				}
			}
		})
	}
}

func TestWorkflowErrors(t *testing.T) {
	t.Parallel()
	bomb := "on: push\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\njobs: {a: {steps: *g}}\n"
	tests := map[string]struct{ src, want string }{
		"empty":         {"", "empty"},
		"comments only": {"# nothing\n", "empty"},
		"list":          {"- a\n- b\n", "not a mapping"},
		"scalar":        {"hello\n", "not a mapping"},
		"invalid":       {"on: push\njobs: [\n", "invalid YAML"},
		"duplicate":     {"on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n", "duplicate key \"runs-on\""},
		"no on":         {"jobs: {}\n", "no `on:`"},
		"two docs":      {"on: push\njobs: {}\n---\non: push\n", "more than one"},
		"jobs list":     {"on: push\njobs: [a]\n", "not a mapping"},
		"tabs":          {"on: push\njobs:\n\ta: x\n", "invalid YAML"},
		"bomb":          {bomb, ""},
		"merge bomb":    {mergeBomb(), "too complex"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := ParseWorkflow("w.yml", []byte(tc.src))
			if tc.want == "" {
				if err != nil {
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Fatalf("error %v is not a ParseError", err)
					}
				}
				_ = f
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// mergeBomb nests `<<` merge keys so that naive expansion is 10^9 work.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("on: push\nm0: &m0 {uses: a/b@v1}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [", i, i)
		for k := 0; k < 10; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*m%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("jobs:\n  a:\n    steps:\n      - *m9\n")
	return b.String()
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	tests := map[string]Kind{
		".github/workflows/ci.yml": KindWorkflow, ".github/workflows/ci.YAML": KindWorkflow,
		".github/workflows/sub/ci.yml": 0, "action.yml": KindAction, "a/b/action.yaml": KindAction,
		"Dockerfile": KindDockerfile, "build/Dockerfile.dev": KindDockerfile, "x.dockerfile": KindDockerfile,
		"Containerfile": KindDockerfile, "Dockerfile-base": KindDockerfile,
		"internal/dockerfile.go": 0, "docs/Dockerfile.md": 0, "README.md": 0, ".github/action.yml.bak": 0,
	}
	for p, want := range tests {
		if got := KindOf(p); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", p, got, want)
		}
	}
}
