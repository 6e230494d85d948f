package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	data       string
	size       int64 // 0: len(data)
}

func tarball(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.data))}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if e.size > 0 {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if e.size > 0 {
				if _, err := tw.Write(bytes.Repeat([]byte("x"), int(e.size))); err != nil {
					t.Fatal(err)
				}
			} else if _, err := tw.Write([]byte(e.data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestExtractTarballRefusesUnsafeArchives(t *testing.T) {
	t.Parallel()
	ok := entry{name: "o-r-1234567/README.md", data: "hi"}
	cases := map[string]struct {
		entries []entry
		lim     Limits
		reason  string
	}{
		"dot-dot":        {[]entry{ok, {name: "o-r-1234567/../../etc/passwd", data: "x"}}, Limits{}, ".."},
		"absolute":       {[]entry{{name: "/etc/passwd", data: "x"}}, Limits{}, "absolute"},
		"second top":     {[]entry{ok, {name: "other/evil", data: "x"}}, Limits{}, "top folder"},
		"too many files": {[]entry{ok, {name: "o-r-1234567/a", data: "1"}, {name: "o-r-1234567/b", data: "2"}}, Limits{MaxFiles: 2}, "entries"},
		"too big":        {[]entry{ok, {name: "o-r-1234567/big", size: 4096}}, Limits{MaxBytes: 1024}, "bytes"},
		"too deep":       {[]entry{{name: "o-r-1234567/a/b/c/d/e", data: "x"}}, Limits{MaxDepth: 4}, "deeper"},
		"backslash":      {[]entry{{name: `o-r-1234567\..\x`, data: "x"}}, Limits{}, "character"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := extractTarball(bytes.NewReader(tarball(t, tc.entries...)), tc.lim)
			var ae *ArchiveError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want an ArchiveError about %q", err, tc.reason)
			}
		})
	}
}

func TestExtractTarballSkipsLinksAndHugeFiles(t *testing.T) {
	t.Parallel()
	tr, err := extractTarball(bytes.NewReader(tarball(t,
		entry{name: "o-r-1234567/", typ: tar.TypeDir},
		entry{name: "o-r-1234567/SECURITY.md", typ: tar.TypeSymlink, link: "docs/SECURITY.md"},
		entry{name: "o-r-1234567/escape", typ: tar.TypeSymlink, link: "../../../etc/passwd"},
		entry{name: "o-r-1234567/hard", typ: tar.TypeLink, link: "o-r-1234567/README.md"},
		entry{name: "o-r-1234567/README.md", data: "hi"},
		entry{name: "o-r-1234567/blob.bin", size: 2048},
	)), Limits{MaxFileBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if string(tr.Files["README.md"].Data) != "hi" || len(tr.Files) != 1 {
		t.Errorf("files = %v", tr.Files)
	}
	for _, p := range []string{"SECURITY.md", "escape", "hard", "blob.bin"} {
		if tr.Seen(p) {
			t.Errorf("%s counted as seen", p)
		}
	}
	if !strings.Contains(tr.Unseen["escape"], "outside") {
		t.Errorf("escape: %q", tr.Unseen["escape"])
	}
}

func TestWriteDirStaysInside(t *testing.T) {
	t.Parallel()
	tr, err := extractTarball(bytes.NewReader(tarball(t,
		entry{name: "o-r-1234567/a/b.txt", data: "b"},
		entry{name: "o-r-1234567/link", typ: tar.TypeSymlink, link: "../outside"},
	)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "repo")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tr.WriteDir(dir, map[string][]byte{"new.txt": []byte("n")}); err != nil {
		t.Fatal(err)
	}
	if err := tr.WriteDir(dir, map[string][]byte{"../escape.txt": []byte("x")}); err == nil {
		t.Error("a change outside the folder was written")
	}
	// A symbolic link planted inside the folder is not followed out of it.
	if err := os.Symlink(parent, filepath.Join(dir, "planted")); err != nil {
		t.Fatal(err)
	}
	if err := tr.WriteDir(dir, map[string][]byte{"planted/escape.txt": []byte("x")}); err == nil {
		t.Error("wrote through a symbolic link leading outside")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("files written next to the folder: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a", "b.txt")); string(b) != "b" {
		t.Errorf("a/b.txt = %q", b)
	}
}
