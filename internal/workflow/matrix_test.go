package workflow

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func matrixOf(t *testing.T, src string) *Matrix {
	t.Helper()
	f, err := ParseWorkflow(".github/workflows/m.yml", []byte("on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return f.Workflow.Jobs[0].Matrix
}

func TestMatrixValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src, path     string
		want, dynamic []string
	}{
		"rows and include": {
			src:  "      matrix:\n        image: ['node:18', 'node:20']\n        os: [a, b]\n        include:\n          - image: node:22\n            os: c\n",
			path: "image", want: []string{"node:18", "node:20", "node:22"},
		},
		"exclude removes a value only when every combination is gone": {
			src:  "      matrix:\n        image: ['node:16', 'node:18']\n        os: [a, b]\n        exclude:\n          - image: node:16\n          - {image: node:18, os: a}\n",
			path: "image", want: []string{"node:18"},
		},
		"objects": {
			src:  "      matrix:\n        cfg:\n          - {name: x, image: 'redis:7'}\n          - {name: y, image: '${{ inputs.img }}'}\n",
			path: "cfg.image", want: []string{"redis:7", "${{ inputs.img }}"},
		},
		"case-insensitive key": {
			src:  "      matrix:\n        Image: [alpine]\n",
			path: "image", want: []string{"alpine"},
		},
		"whole matrix from an expression": {
			src:  "      matrix: ${{ fromJSON(needs.plan.outputs.m) }}\n",
			path: "image", dynamic: []string{"${{ fromJSON(needs.plan.outputs.m) }}"},
		},
		"row from an expression": {
			src:  "      matrix:\n        image: ${{ fromJSON(inputs.images) }}\n        include: ${{ fromJSON(inputs.extra) }}\n",
			path: "image", dynamic: []string{"${{ fromJSON(inputs.images) }}", "${{ fromJSON(inputs.extra) }}"},
		},
		"anchored list": {
			src:  "      matrix:\n        image: &imgs [a, b]\n        other: *imgs\n",
			path: "other", want: []string{"a", "b"},
		},
		"unknown key": {
			src:  "      matrix:\n        image: [a]\n",
			path: "nope",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := matrixOf(t, tc.src)
			vals, dyn := m.Values(strings.Split(tc.path, "."))
			got, gotDyn := texts(vals), texts(dyn)
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDyn, tc.dynamic) {
				t.Errorf("Values(%s) = %q, %q; want %q, %q", tc.path, got, gotDyn, want, tc.dynamic)
			}
		})
	}
}

func texts(vs []*Value) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Value)
	}
	return out
}

func TestWorkflowInputsOutputsDefaults(t *testing.T) {
	t.Parallel()
	src := `on:
  workflow_call:
    inputs:
      name: {type: string, default: "${{ github.head_ref }}"}
      dry: {type: boolean}
    outputs:
      out: {value: "${{ jobs.a.outputs.x }}"}
  workflow_dispatch:
    inputs:
      level: {type: choice, options: [a, b]}
defaults: {run: {shell: pwsh}}
jobs:
  a:
    runs-on: x
    defaults:
      run:
        shell: python
    outputs:
      x: ${{ steps.s.outputs.y }}
    steps:
      - run: echo
`
	f, err := ParseWorkflow(".github/workflows/x.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := f.Workflow
	var got []string
	for _, in := range w.Inputs {
		d := ""
		if in.Default != nil {
			d = in.Default.Value
		}
		got = append(got, in.Event+":"+in.Name+":"+in.Type+":"+d)
	}
	want := []string{"workflow_call:name:string:${{ github.head_ref }}", "workflow_call:dry:boolean:", "workflow_dispatch:level:choice:"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputs %q", got)
	}
	if w.Input("NAME") == nil || w.Job("A") == nil {
		t.Error("lookups are not case-insensitive")
	}
	if len(w.CallOutputs) != 1 || w.CallOutputs[0].Value.Value != "${{ jobs.a.outputs.x }}" {
		t.Errorf("call outputs %+v", w.CallOutputs)
	}
	j := w.Jobs[0]
	if w.DefaultShell.Value != "pwsh" || j.DefaultShell.Value != "python" {
		t.Error("default shells not read")
	}
	if len(j.Outputs) != 1 || j.Outputs[0].Name != "x" || j.Outputs[0].Value.Line != 19 {
		t.Errorf("job outputs %+v", j.Outputs)
	}
	a, err := ParseAction("action.yml", []byte("inputs:\n  t:\n    default: ${{ github.token }}\noutputs:\n  o:\n    value: ${{ steps.x.outputs.y }}\nruns:\n  using: composite\n  steps: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Action.InputDefs) != 1 || a.Action.InputDefs[0].Default.Value != "${{ github.token }}" || len(a.Action.Outputs) != 1 {
		t.Errorf("action inputs/outputs %+v %+v", a.Action.InputDefs, a.Action.Outputs)
	}
}

func TestMayHaveAnchor(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]bool{
		"a: &x 1\nb: *x\n": true, "- &x [1]\n": true, "{a: &b c}": true, "&top\n": true,
		"run: make && make test\n": false, "run: echo a&b\n": false, "x: '& not'\n": false, "": false,
	} {
		if got := mayHaveAnchor([]byte(src)); got != want {
			t.Errorf("mayHaveAnchor(%q) = %v", src, got)
		}
	}
}
