package repo

import (
	"reflect"
	"testing"
	"testing/fstest"
)

func TestOverlay(t *testing.T) {
	t.Parallel()
	base := New(fstest.MapFS{
		"a.txt":                   {Data: []byte("a")},
		".github/workflows/x.yml": {Data: []byte("x")},
		"gone.txt":                {Data: []byte("g")},
	}, "")
	o := Overlay(base, map[string][]byte{
		"a.txt":                  []byte("A"),
		".github/dependabot.yml": []byte("d"),
		"SECURITY.md":            []byte("s"),
		"gone.txt":               nil,
	})
	files, err := o.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".github/dependabot.yml", ".github/workflows/x.yml", "SECURITY.md", "a.txt"}
	if !reflect.DeepEqual(files, want) {
		t.Fatalf("files = %q, want %q", files, want)
	}
	if b, _ := o.ReadFile("a.txt"); string(b) != "A" {
		t.Errorf("a.txt = %q", b)
	}
	if o.Has("gone.txt") {
		t.Error("deleted file still visible")
	}
	if b, _ := base.ReadFile("a.txt"); string(b) != "a" {
		t.Error("base changed")
	}
}
