package fixer

import (
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
	if d := Unified("n", nil, []byte("new\n")); !strings.Contains(d, "--- /dev/null") || !strings.Contains(d, "@@ -0,0 +1,1 @@") {
		t.Errorf("new file diff:\n%s", d)
	}
}

// TestMyersReconstructs checks that applying the script to a gives b.
func TestMyersReconstructs(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		a := randomLines(r)
		b := randomLines(r)
		var gotA, gotB []string
		for _, o := range myers(a, b) {
			if o.kind != '+' {
				gotA = append(gotA, o.line)
			}
			if o.kind != '-' {
				gotB = append(gotB, o.line)
			}
		}
		if strings.Join(a, "") == strings.Join(b, "") {
			continue
		}
		if strings.Join(gotA, "") != strings.Join(a, "") || strings.Join(gotB, "") != strings.Join(b, "") {
			t.Fatalf("script does not reconstruct:\na=%q\nb=%q", a, b)
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
