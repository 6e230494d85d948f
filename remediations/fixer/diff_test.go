package fixer

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	t.Parallel()
	before := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	after := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk"
	got := Unified("x.yml", []byte(before), []byte(after))
	want := `diff --git a/x.yml b/x.yml
--- a/x.yml
+++ b/x.yml
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -8,3 +8,4 @@
 h
 i
 j
+k
\ No newline at end of file
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if Unified("x", []byte("same\n"), []byte("same\n")) != "" {
		t.Error("no change should give no diff")
	}
	if d := Unified("n", nil, []byte("new\n")); !strings.Contains(d, "new file mode 100644\n--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+new\n") {
		t.Errorf("new file diff:\n%s", d)
	}
}

// TestUnifiedApplies: applying the diff to the old content gives the new
// one, with CRLF line endings or a missing final newline.
func TestUnifiedApplies(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		a := strings.Join(randomLines(r), "")
		b := strings.Join(randomLines(r), "")
		switch {
		case i%3 == 0:
			a, b = strings.ReplaceAll(a, "\n", "\r\n"), strings.ReplaceAll(b, "\n", "\r\n")
		case i%5 == 0:
			b = strings.TrimSuffix(b, "\n")
		}
		d := Unified("f", []byte(a), []byte(b))
		if a == b {
			if d != "" {
				t.Fatalf("diff of equal contents: %q", d)
			}
			continue
		}
		got, err := applyUnified(d, a)
		if err != nil || got != b {
			t.Fatalf("diff does not apply (%v):\na=%q\nb=%q\ngot=%q\n%s", err, a, b, got, d)
		}
	}
}

func randomLines(r *rand.Rand) []string {
	n := r.Intn(12)
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('a'+r.Intn(4))) + "\n"
	}
	return out
}

// applyUnified applies a one-file unified diff to before, as patch does,
// checking every context and removed line.
func applyUnified(diff, before string) (string, error) {
	src := strings.SplitAfter(before, "\n")
	if src[len(src)-1] == "" {
		src = src[:len(src)-1]
	}
	var out []string
	pos := 0
	lines := strings.SplitAfter(diff, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		text := l[1:]
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\\") {
			text = strings.TrimSuffix(text, "\n")
			i++
		}
		switch {
		case strings.HasPrefix(l, "diff --git "), strings.HasPrefix(l, "new file mode"), strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "+++ "):
		case strings.HasPrefix(l, "@@ -"):
			var start, n int
			spec, _, _ := strings.Cut(strings.TrimPrefix(l, "@@ -"), " ")
			if _, err := fmt.Sscanf(spec, "%d,%d", &start, &n); err != nil {
				n = 1
				if _, err := fmt.Sscanf(spec, "%d", &start); err != nil {
					return "", fmt.Errorf("hunk header %q", l)
				}
			}
			if n > 0 {
				start--
			}
			if start < pos || start > len(src) {
				return "", fmt.Errorf("hunk %q out of order", l)
			}
			out, pos = append(out, src[pos:start]...), start
		case l[0] == ' ' || l[0] == '-':
			if pos >= len(src) || src[pos] != text {
				return "", fmt.Errorf("line %d is not %q", pos+1, text)
			}
			if l[0] == ' ' {
				out = append(out, text)
			}
			pos++
		case l[0] == '+':
			out = append(out, text)
		default:
			return "", fmt.Errorf("unexpected line %q", l)
		}
	}
	return strings.Join(append(out, src[pos:]...), ""), nil
}
