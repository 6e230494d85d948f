// Package snapshot fetches a repository at one commit for the App: one
// tarball download, refused whole when it breaks a limit or could escape
// its folder, and always checked against the commit's git tree, since the
// archive may have left files out (export-ignore) or rewritten them
// (export-subst) without a trace. What the App could not read is listed,
// so that nothing it did not see is ever overwritten.
package snapshot

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

// Limits bound what one repository archive may expand to. Zero
// fields take the defaults of DefaultLimits.
type Limits struct {
	// MaxBytes caps the uncompressed size of all entries together.
	MaxBytes int64
	// MaxFiles caps the number of entries.
	MaxFiles int
	// MaxDepth caps the number of elements of a path.
	MaxDepth int
	// MaxFileBytes: a bigger file is not kept; it is listed as not seen.
	MaxFileBytes int64
}

// DefaultLimits are generous for source repositories and small
// enough for a Lambda's memory.
var DefaultLimits = Limits{
	MaxBytes: 200 << 20, MaxFiles: 100_000, MaxDepth: 64, MaxFileBytes: 16 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxFiles > 0 {
		d.MaxFiles = l.MaxFiles
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxFileBytes > 0 {
		d.MaxFileBytes = l.MaxFileBytes
	}
	return d
}

// ArchiveError says why a repository archive was refused.
type ArchiveError struct {
	Name   string // entry name as found in the archive, "" for the archive itself
	Reason string
}

func (e *ArchiveError) Error() string {
	if e.Name == "" {
		return "repository archive refused: " + e.Reason
	}
	return fmt.Sprintf("repository archive refused: entry %q: %s", e.Name, e.Reason)
}

// Tree is a repository at one commit as the App saw it: the regular files
// it read, and the paths it knows exist but did not read (symbolic links,
// files over the size cap, files the archive left out). Remediations must
// never write a path listed in Unseen.
type Tree struct {
	Commit string // commit SHA, when the archive or the caller said it
	Files  fstest.MapFS
	// Unseen maps a path to why its content is not in Files (or, beyond a
	// truncated git tree, why the archive's copy in Files is unverified).
	Unseen map[string]string
	// Verified is set once the files were checked against the git tree.
	Verified bool
	// owner and name are the repository's, when fetched from GitHub.
	owner, name string
	// gitTree holds blob SHAs by path once the git tree was fetched.
	gitTree map[string]string
	treeSHA string
	// treeComplete: GitHub listed the whole tree (not truncated).
	treeComplete bool
}

// Snapshot returns a read-only view for scanners and remediations.
func (t *Tree) Snapshot() *repo.Snapshot { return repo.New(t.Files, "") }

// Seen reports whether the App read p's content (or knows p is absent).
func (t *Tree) Seen(p string) bool {
	_, unseen := t.Unseen[p]
	return !unseen
}

// extractTarball reads GitHub's gzip tarball: every entry below one top
// folder (`owner-repo-sha7/`), regular files kept in memory. Absolute
// names, `..` elements, a second top folder and any limit overrun refuse
// the whole archive; symbolic and hard links are never followed and are
// listed as not seen.
func extractTarball(r io.Reader, lim Limits) (*Tree, error) {
	lim = lim.withDefaults()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, &ArchiveError{Reason: "not gzip: " + err.Error()}
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	t := &Tree{Files: fstest.MapFS{}, Unseen: map[string]string{}}
	top := ""
	var total int64
	entries := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ArchiveError{Reason: "corrupt tar: " + err.Error()}
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			if c := h.PAXRecords["comment"]; isCommitSHA(c) {
				t.Commit = c
			}
			continue
		}
		entries++
		if entries > lim.MaxFiles {
			return nil, &ArchiveError{Reason: fmt.Sprintf("more than %d entries", lim.MaxFiles)}
		}
		// Names, link targets and PAX records are kept in memory as much
		// as contents are: 100,000 empty files with 4 KB names are 400 MB.
		total += entryCost(h)
		if h.Size > 0 {
			total += h.Size
		}
		if total > lim.MaxBytes {
			return nil, &ArchiveError{Reason: fmt.Sprintf("more than %d bytes uncompressed (contents, names and headers)", lim.MaxBytes)}
		}
		name, err := entryName(h.Name, lim.MaxDepth)
		if err != nil {
			return nil, &ArchiveError{Name: h.Name, Reason: err.Error()}
		}
		first, rest, _ := strings.Cut(name, "/")
		if top == "" {
			top = first
		} else if first != top {
			return nil, &ArchiveError{Name: h.Name, Reason: "outside the archive's top folder " + top}
		}
		if rest == "" {
			continue // the top folder itself
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg, tar.TypeRegA:
			if h.Size > lim.MaxFileBytes {
				t.Unseen[rest] = fmt.Sprintf("larger than %d bytes", lim.MaxFileBytes)
				continue
			}
			data, err := io.ReadAll(io.LimitReader(tr, h.Size+1))
			if err != nil {
				return nil, &ArchiveError{Name: h.Name, Reason: "read: " + err.Error()}
			}
			if int64(len(data)) != h.Size {
				return nil, &ArchiveError{Name: h.Name, Reason: "size does not match its header"}
			}
			if _, dup := t.Files[rest]; dup {
				return nil, &ArchiveError{Name: h.Name, Reason: "listed twice"}
			}
			mode := fs.FileMode(0o644)
			if h.Mode&0o111 != 0 {
				mode = 0o755
			}
			t.Files[rest] = &fstest.MapFile{Data: data, Mode: mode}
		case tar.TypeSymlink:
			if linkEscapes(rest, h.Linkname) {
				t.Unseen[rest] = "symbolic link pointing outside the repository (not followed)"
			} else {
				t.Unseen[rest] = "symbolic link (not followed)"
			}
		case tar.TypeLink:
			t.Unseen[rest] = "hard link (not followed)"
		default:
			t.Unseen[rest] = fmt.Sprintf("tar entry type %q skipped", h.Typeflag)
		}
	}
	if top == "" {
		return nil, &ArchiveError{Reason: "empty archive"}
	}
	// A file and a folder of the same name cannot both exist in git.
	for p := range t.Files {
		for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
			if _, clash := t.Files[p[:i]]; clash {
				return nil, &ArchiveError{Name: p, Reason: "below a path that is a file"}
			}
		}
	}
	return t, nil
}

// Caps on names: Linux's PATH_MAX and NAME_MAX, which git checkouts
// cannot exceed either.
const (
	maxPathBytes      = 4096
	maxComponentBytes = 255
	// entryOverhead is what keeping one entry costs besides its name and
	// content (its tar header block; the map entry is about as much).
	entryOverhead = 512
)

// entryCost is what an entry's header costs in memory: its name, link
// target and PAX records, and a fixed overhead.
func entryCost(h *tar.Header) int64 {
	n := int64(entryOverhead + len(h.Name) + len(h.Linkname))
	for k, v := range h.PAXRecords {
		n += int64(len(k) + len(v))
	}
	return n
}

// entryName cleans a tar entry name and refuses what could escape.
func entryName(name string, maxDepth int) (string, error) {
	if strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", errors.New("invalid character in name")
	}
	if strings.HasPrefix(name, "/") || len(name) > 1 && name[1] == ':' {
		return "", errors.New("absolute path")
	}
	trimmed := strings.TrimSuffix(name, "/")
	for _, el := range strings.Split(trimmed, "/") {
		if el == ".." {
			return "", errors.New("path contains ..")
		}
	}
	clean := path.Clean(trimmed)
	if clean == "." || clean == "" {
		return "", errors.New("empty name")
	}
	if len(clean) > maxPathBytes {
		return "", fmt.Errorf("path longer than %d bytes", maxPathBytes)
	}
	for _, el := range strings.Split(clean, "/") {
		if len(el) > maxComponentBytes {
			return "", fmt.Errorf("name longer than %d bytes", maxComponentBytes)
		}
	}
	if n := strings.Count(clean, "/") + 1; n > maxDepth {
		return "", fmt.Errorf("deeper than %d folders", maxDepth)
	}
	return clean, nil
}

// linkEscapes reports whether a symbolic link at p (repository-relative)
// with target would point outside the repository.
func linkEscapes(p, target string) bool {
	if path.IsAbs(target) {
		return true
	}
	joined := path.Join(path.Dir(p), target)
	return joined == ".." || strings.HasPrefix(joined, "../")
}

func isCommitSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// WriteDir writes the tree's files (with changes applied over them; a nil
// content deletes) below dir, confined to it with os.Root. Scorecard
// reads a checkout on disk.
func (t *Tree) WriteDir(dir string, changes map[string][]byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	names := make([]string, 0, len(t.Files)+len(changes))
	for p := range t.Files {
		if _, changed := changes[p]; !changed {
			names = append(names, p)
		}
	}
	for p, b := range changes {
		if b != nil {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	for _, p := range names {
		if !fs.ValidPath(p) {
			return fmt.Errorf("write %q: invalid path", p)
		}
		data, mode := changes[p], fs.FileMode(0o644)
		if f, ok := t.Files[p]; ok && data == nil {
			data, mode = f.Data, f.Mode
		}
		if d := path.Dir(p); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		if err := root.WriteFile(p, data, mode); err != nil {
			return err
		}
	}
	return nil
}
