package pin

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/workflow"
	"gopkg.in/yaml.v3"
)

// valueLines are the lines of a file that hold a `uses:` value or an
// image, mapped to the byte column where the first such value starts.
func valueLines(f *workflow.File) map[int]int {
	out := map[int]int{}
	add := func(v *workflow.Value) {
		if c, ok := out[v.Line]; !ok || v.Column < c {
			out[v.Line] = v.Column
		}
	}
	for _, v := range f.Uses() {
		add(v)
	}
	for _, img := range f.Images {
		add(&img.Value)
	}
	if f.Dockerfile != nil {
		for i := range f.Dockerfile.Froms {
			add(&f.Dockerfile.Froms[i].Image)
		}
	}
	return out
}

// allowedChange reports whether a scalar may have become after: the same,
// the same image with a digest appended, or the same action at a SHA.
func allowedChange(before, after string) bool {
	if before == after || strings.HasPrefix(after, before+"@sha256:") && len(after) == len(before)+len("@sha256:")+64 {
		return true
	}
	b, okB := checks.ParseUses(before)
	a, okA := checks.ParseUses(after)
	return okB && okA && !b.Local && !b.Docker && a.Name() == b.Name() && len(a.Ref) == 40 && checks.IsSHA(a.Ref)
}

// checkPreserved verifies that only value lines changed, that each changed
// line is the same up to its first value, and that the result models the
// same document except for allowed changes of edited values.
func checkPreserved(t testing.TB, path string, before, after []byte) {
	t.Helper()
	fb, err := workflow.Parse(path, before)
	if err != nil {
		t.Fatalf("input does not parse: %v", err)
	}
	fa, err := workflow.Parse(path, after)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, after)
	}
	sb, sa := fb.Source, fa.Source
	if sb.Lines() != sa.Lines() {
		t.Fatalf("line count changed: %d → %d", sb.Lines(), sa.Lines())
	}
	lines := valueLines(fb)
	for n := 1; n <= sb.Lines(); n++ {
		lb := before[sb.LineStart(n):sb.LineStart(n+1)]
		la := after[sa.LineStart(n):sa.LineStart(n+1)]
		if n == sb.Lines() {
			lb, la = before[sb.LineStart(n):], after[sa.LineStart(n):]
		}
		if string(lb) == string(la) {
			continue
		}
		col, ok := lines[n]
		if !ok {
			t.Errorf("line %d changed but holds no edited value:\n%q\n%q", n, lb, la)
			continue
		}
		if len(la) < col-1 || string(lb[:col-1]) != string(la[:col-1]) {
			t.Errorf("line %d changed before its value:\n%q\n%q", n, lb, la)
		}
		if !sameEnding(lb, la) {
			t.Errorf("line %d lost its line ending:\n%q\n%q", n, lb, la)
		}
	}
	if fb.Kind == workflow.KindDockerfile {
		if len(fb.Dockerfile.Froms) != len(fa.Dockerfile.Froms) {
			t.Fatalf("FROM count changed")
		}
		for i, fr := range fb.Dockerfile.Froms {
			if g := fa.Dockerfile.Froms[i].Image.Value; !allowedChange(fr.Image.Value, g) {
				t.Errorf("FROM %q became %q", fr.Image.Value, g)
			}
		}
		return
	}
	var db, da any
	if err := yaml.Unmarshal(before, &db); err != nil {
		return // the model accepts some documents yaml.v3 will not decode
	}
	if err := yaml.Unmarshal(after, &da); err != nil {
		t.Fatal(err)
	}
	if err := sameShape(db, da, "$"); err != nil {
		t.Error(err)
	}
}

func sameEnding(a, b []byte) bool {
	end := func(s []byte) string {
		switch {
		case len(s) >= 2 && string(s[len(s)-2:]) == "\r\n":
			return "\r\n"
		case len(s) >= 1 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r'):
			return string(s[len(s)-1:])
		}
		return ""
	}
	return end(a) == end(b)
}

// sameShape compares decoded documents, allowing edited scalars.
func sameShape(a, b any, at string) error {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: mapping changed", at)
		}
		for k, v := range x {
			if err := sameShape(v, y[k], at+"."+k); err != nil {
				return err
			}
		}
	case map[any]any:
		y, ok := b.(map[any]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: mapping changed", at)
		}
		for k, v := range x {
			if err := sameShape(v, y[k], fmt.Sprintf("%s.%v", at, k)); err != nil {
				return err
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: sequence changed", at)
		}
		for i := range x {
			if err := sameShape(x[i], y[i], fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case string:
		y, ok := b.(string)
		if !ok || !allowedChange(x, y) {
			return fmt.Errorf("%s: %q became %#v", at, x, b)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("%s: %#v became %#v", at, a, b)
		}
	}
	return nil
}

// TestPreservation checks, for every testdata input, that every line
// without an edited value is byte-identical and that the document is the
// same except for the edited values.
func TestPreservation(t *testing.T) {
	gh := universe(t)
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			after, _ := run(t, c.path, c.src, gh)
			checkPreserved(t, c.path, c.src, after)
		})
	}
}
