package workflow

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// exprAt parses src, takes the first step's run: (or the value of the
// `x:` key of the first step's env) and returns the line:col of each
// `${{` in it.
func exprAt(t *testing.T, src string) []string {
	t.Helper()
	f, err := ParseWorkflow(".github/workflows/w.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Workflow.Jobs[0].Steps[0]
	v := s.Run
	if v == nil {
		v = &s.Env[0].Value
	}
	var out []string
	for _, off := range ExprPositions(f.Source.Src, v) {
		if !strings.HasPrefix(string(f.Source.Src[off:]), "${{") {
			t.Errorf("offset %d points at %q, not at ${{", off, string(f.Source.Src[off:min(off+10, len(f.Source.Src))]))
		}
		l, c := f.Source.Position(off)
		out = append(out, fmt.Sprintf("%d:%d", l, c))
	}
	return out
}

func TestExprPositionsEveryStyle(t *testing.T) {
	t.Parallel()
	const head = "on: issues\njobs:\n  a:\n    steps:\n"
	tests := map[string]struct {
		src  string
		want []string
	}{
		"folded, expression split over lines, same text later": {
			src:  head + "      - run: >\n          echo ${{\n          github.event.issue.title }} done\n        env:\n          T: ${{ github.event.issue.title }}\n",
			want: []string{"6:16"},
		},
		"literal with CRLF": {
			src:  strings.ReplaceAll(head+"      - run: |\n          echo a\n          echo \"${{ github.head_ref }}\" ${{ github.sha }}\n", "\n", "\r\n"),
			want: []string{"7:17", "7:41"},
		},
		"folded keep with more-indented lines": {
			src:  head + "      - run: >+\n          a\n            b ${{ x.y }}\n\n          c ${{ z }}\n",
			want: []string{"7:15", "9:13"},
		},
		"double quoted with escapes": {
			src:  head + "      - run: \"echo \\\"${{ github.head_ref }}\\\"\\n\\techo ${{ a }}\"\n",
			want: []string{"5:22", "5:55"},
		},
		"double quoted over lines": {
			src:  head + "      - run: \"echo\n          ${{ a }} \\\n          ${{ b }}\"\n",
			want: []string{"6:11", "7:11"},
		},
		"single quoted with doubled quote": {
			src:  head + "      - run: 'echo ''${{ a }}'' ${{ b }}'\n",
			want: []string{"5:22", "5:33"},
		},
		"plain over lines": {
			src:  head + "      - run: echo\n          ${{ a }}\n          ${{ b }}\n",
			want: []string{"6:11", "7:11"},
		},
		"flow mapping": {
			src:  head + "      - {name: x, run: \"echo ${{ a }}\", shell: bash}\n",
			want: []string{"5:30"},
		},
		"anchored value": {
			src:  head + "      - run: &r echo ${{ a }}\n",
			want: []string{"5:22"},
		},
		"unicode before the expression": {
			src:  head + "      - run: |\n          echo \"héllo ✓\" ${{ a }}\n",
			want: []string{"6:29"},
		},
		"env value": {
			src:  head + "      - env:\n          x: >-\n            pre ${{ a }}\n",
			want: []string{"7:17"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := exprAt(t, tc.src); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSourceOffsetsMismatch(t *testing.T) {
	t.Parallel()
	// A value that does not come from the source maps to its start.
	v := &Value{Value: "abc ${{ x }}", ContentStart: 2, ContentEnd: -1}
	if got := v.SourceOffsets([]byte("zzzzzz"), []int{4}); got[0] != 2 {
		t.Fatalf("got %v", got)
	}
}

func TestFlows(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"github.event.issue.title":                          {"github.event.issue.title"},
		"env.PKG_NAME":                                      {"env.PKG_NAME"},
		"github.event.issue.title == 'x'":                   nil,
		"contains(github.event.issue.title, 'x')":           nil,
		"!github.head_ref":                                  nil,
		"github.head_ref || 'main'":                         {"github.head_ref"},
		"github.event_name == 'push' && github.head_ref":    {"github.head_ref"},
		"format('{0}-{1}', inputs.a, github.sha)":           {"inputs.a", "github.sha"},
		"toJSON(steps.x.outputs)":                           {"json:steps.x.outputs"},
		"fromJSON(needs.a.outputs.m).image":                 {"needs.a.outputs.m"},
		"github.event['pull_request']['Title']":             {"github.event['pull_request']['Title']"},
		"github.event.commits[0].message":                   {"github.event.commits[0].message"},
		"github.event.pages[github.x].page_name":            {"github.event.pages[github.x].page_name"},
		"join(github.event.issue.labels.*.name, ', ')":      {"github.event.issue.labels.*.name"},
		"(github.head_ref)":                                 {"github.head_ref"},
		"hashFiles('**/go.sum') || github.event.issue.body": {"github.event.issue.body"},
	}
	for in, want := range tests {
		n, err := ParseExpr(in)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", in, err)
			continue
		}
		var got []string
		for _, f := range n.Flows() {
			s := f.Raw
			if f.JSON {
				s = "json:" + s
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Flows(%q) = %q, want %q", in, got, want)
		}
	}
	n, _ := ParseExpr("github.event['pull_request']['Title']")
	if p := n.Flows()[0].Path; p != "github.event.pull_request.title" {
		t.Errorf("path %q", p)
	}
	for _, bad := range []string{"a ==", "(a", "f(a,", "'unterminated", "a[", "a.", "@", strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200)} {
		if _, err := ParseExpr(bad); err == nil {
			t.Errorf("ParseExpr(%q) did not fail", bad)
		}
	}
}
