package edit

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	t.Parallel()
	src := []byte("uses: a/b@v1 # v1\r\nuses: c/d@v2\r\n")
	tests := map[string]struct {
		edits   []Edit
		want    string
		wantErr string
	}{
		"none":          {nil, string(src), ""},
		"replace":       {[]Edit{{Start: 10, End: 12, Text: "sha"}}, "uses: a/b@sha # v1\r\nuses: c/d@v2\r\n", ""},
		"insert at end": {[]Edit{{Start: len(src), End: len(src), Text: "x: y\r\n"}}, string(src) + "x: y\r\n", ""},
		"unsorted and duplicated (an anchor reached twice)": {
			[]Edit{{Start: 29, End: 31, Text: "S2"}, {Start: 10, End: 12, Text: "S1"}, {Start: 29, End: 31, Text: "S2"}},
			"uses: a/b@S1 # v1\r\nuses: c/d@S2\r\n", ""},
		"overlap":     {[]Edit{{Start: 6, End: 12, Text: "x"}, {Start: 10, End: 14, Text: "y"}}, "", "overlaps"},
		"out of file": {[]Edit{{Start: 10, End: 100, Text: "x"}}, "", "leaves the file"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Apply(src, tc.edits)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	src := []byte("a: 1\r\n    - uses: x@v1   # tag=v1\n")
	if LineEnding(src) != "\r\n" || LineEnding([]byte("a\nb\n")) != "\n" {
		t.Error("LineEnding")
	}
	if got := Indent(src, 12); got != "    " {
		t.Errorf("Indent = %q", got)
	}
}
