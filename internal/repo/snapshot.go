// Package repo gives every scanner and remediation the same read-only view
// of a repository at one commit: a local checkout or an extracted archive.
package repo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"sync"
)

// MaxFileSize is the largest file a scanner reads; bigger files are listed
// but reported as too large rather than parsed.
const MaxFileSize = 1 << 20

// ErrTooLarge is returned by ReadFile for files over MaxFileSize.
var ErrTooLarge = errors.New("file is larger than the size cap")

// Snapshot is a repository tree. Paths are slash-separated and relative to
// the repository root.
type Snapshot struct {
	// FS holds the files (os.DirFS for a checkout, fstest.MapFS in tests).
	FS fs.FS
	// Dir is the checkout on disk when there is one (Scorecard needs it).
	Dir string
	// Owner and Name identify the repository when known (App mode).
	Owner, Name string
	// Private is true for private repositories (App mode).
	Private bool
	// Ignored, when set, hides paths from Files (config `paths-ignore`).
	Ignored func(path string) bool

	once  sync.Once
	files []string
	err   error

	memoMu sync.Mutex
	memo   map[string]any
}

// Memo computes a value once per snapshot and key, so that scanners
// sharing a parsed model parse each file once.
func (s *Snapshot) Memo(key string, compute func() any) any {
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.memo == nil {
		s.memo = map[string]any{}
	}
	v := compute()
	s.memo[key] = v
	return v
}

// New returns a snapshot of fsys; dir may be empty.
func New(fsys fs.FS, dir string) *Snapshot { return &Snapshot{FS: fsys, Dir: dir} }

// skipDir names directories that are never part of the scanned tree.
func skipDir(name string) bool { return name == ".git" }

// Files lists every regular file, sorted. Symbolic links are not followed.
func (s *Snapshot) Files() ([]string, error) {
	s.once.Do(func() {
		s.err = fs.WalkDir(s.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == "." {
					return err
				}
				return nil // unreadable entry: skip it, keep walking
			}
			if d.IsDir() {
				if p != "." && (skipDir(d.Name()) || s.Ignored != nil && s.Ignored(p+"/")) {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && (s.Ignored == nil || !s.Ignored(p)) {
				s.files = append(s.files, p)
			}
			return nil
		})
		sort.Strings(s.files)
	})
	return s.files, s.err
}

// Has reports whether the file exists.
func (s *Snapshot) Has(name string) bool {
	fi, err := fs.Stat(s.FS, name)
	return err == nil && fi.Mode().IsRegular()
}

// ReadFile reads a file, refusing files over MaxFileSize with ErrTooLarge.
func (s *Snapshot) ReadFile(name string) ([]byte, error) {
	f, err := s.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, MaxFileSize)
	}
	return b, nil
}
