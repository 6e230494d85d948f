package snapshot

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
)

// maxReads bounds the files read one by one (blobs the archive left out
// or rewrote, files beyond a truncated tree). A file over the bound is
// listed in Unseen with ReasonOverReadLimit, so that a check never passes
// on content it did not read.
const maxReads = 256

// Reasons a path is in Unseen that say its content was not read although
// the App knows it exists.
const (
	ReasonOverReadLimit = "not read: more hidden files than the App reads one by one"
	ReasonNotVerified   = "not verified against the git tree (the tree is too large for GitHub to list)"
)

// verify checks the archive against the commit's git tree: files missing
// from it (export-ignore) or changed in it (export-subst) are read from
// the tree when a job reads them (see Relevant), and listed as not seen
// otherwise; files the tree does not have are dropped. It runs on every
// snapshot: a .gitattributes that export-ignores itself leaves no trace
// in the archive of what else it hid.
func (t *Tree) verify(ctx context.Context, gh *github.Client) error {
	if err := t.loadGitTree(ctx, gh); err != nil {
		return err
	}
	reads := 0
	for p, sha := range t.gitTree {
		if strings.HasPrefix(sha, "link:") {
			if _, ok := t.Unseen[p]; !ok {
				t.Unseen[p] = "symbolic link (not followed)"
			}
			continue
		}
		if f, ok := t.Files[p]; ok && blobSHA(f.Data) == sha {
			continue
		}
		if _, ok := t.Unseen[p]; ok {
			continue // over the size cap
		}
		reason := "left out of the archive (export-ignore)"
		if _, ok := t.Files[p]; ok {
			reason = "rewritten in the archive (export-subst)"
		}
		delete(t.Files, p)
		if !Relevant(p) {
			t.Unseen[p] = reason
			continue
		}
		if reads >= maxReads {
			t.Unseen[p] = ReasonOverReadLimit
			continue
		}
		reads++
		data, _, err := gh.Git.GetBlobRaw(ctx, t.owner, t.name, sha)
		if err != nil {
			return fmt.Errorf("blob %s of %s/%s: %w", p, t.owner, t.name, err)
		}
		t.Files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	for p, f := range t.Files {
		if _, ok := t.gitTree[p]; ok {
			continue
		}
		if t.listed(p) {
			// The archive cannot hold files the tree does not have.
			delete(t.Files, p)
			continue
		}
		// Beyond a truncated tree: the archive's file is kept for the
		// scan, checked one by one when a rule reads it, and never
		// written unless it was.
		if !Relevant(p) {
			continue
		}
		if reads >= maxReads {
			t.Unseen[p] = ReasonNotVerified
			continue
		}
		reads++
		if err := t.readOne(ctx, gh, p, f.Data); err != nil {
			return err
		}
	}
	t.Verified = true
	return nil
}

// readOne checks one file beyond a truncated tree with the contents API:
// the archive's copy is kept when git has the same blob, replaced by the
// blob when it differs, and dropped when git has no such file.
func (t *Tree) readOne(ctx context.Context, gh *github.Client, p string, archived []byte) error {
	fc, _, _, err := gh.Repositories.GetContents(ctx, t.owner, t.name, p, &github.RepositoryContentGetOptions{Ref: t.Commit})
	switch {
	case ghclient.IsNotFound(err):
		delete(t.Files, p)
		return nil
	case err != nil:
		return fmt.Errorf("contents of %s in %s/%s: %w", p, t.owner, t.name, err)
	case fc == nil || fc.GetType() != "file":
		delete(t.Files, p)
		t.Unseen[p] = "not a regular file in the git tree"
		return nil
	}
	sha := fc.GetSHA()
	t.gitTree[p] = sha
	if blobSHA(archived) == sha {
		return nil
	}
	data, _, err := gh.Git.GetBlobRaw(ctx, t.owner, t.name, sha)
	if err != nil {
		return fmt.Errorf("blob %s of %s/%s: %w", p, t.owner, t.name, err)
	}
	t.Files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	return nil
}

// loadGitTree fetches the recursive git tree of t.Commit once. GitHub
// truncates it past 100,000 entries or 7 MB; then the places rules read
// by name are listed from their own trees (see listScanned), and the
// rest of the archive is taken as it is, checked file by file where a
// rule reads it.
func (t *Tree) loadGitTree(ctx context.Context, gh *github.Client) error {
	if t.gitTree != nil {
		return nil
	}
	gt, _, err := gh.Git.GetTree(ctx, t.owner, t.name, t.Commit, true)
	if err != nil {
		return fmt.Errorf("git tree of %s/%s@%s: %w", t.owner, t.name, t.Commit, err)
	}
	t.gitTree, t.treeSHA = map[string]string{}, gt.GetSHA()
	t.addEntries("", gt.Entries)
	t.treeComplete = !gt.GetTruncated()
	if t.treeComplete {
		return nil
	}
	intake.LoggerFrom(ctx).Warn("git tree truncated; reading .github/, the root and docs/ from their own trees", "entries", len(gt.Entries))
	return t.listScanned(ctx, gh)
}

// listScanned lists, from their own trees, the root folder, .github/
// (recursively) and docs/: every place a rule reads by name (workflows,
// configuration, security policy, dependency-update configuration).
// Actions and Dockerfiles elsewhere are checked one by one.
func (t *Tree) listScanned(ctx context.Context, gh *github.Client) error {
	root, _, err := gh.Git.GetTree(ctx, t.owner, t.name, t.treeSHA, false)
	if err != nil {
		return fmt.Errorf("root tree of %s/%s@%s: %w", t.owner, t.name, t.Commit, err)
	}
	t.addEntries("", root.Entries)
	for _, e := range root.Entries {
		if e.GetType() != "tree" || e.GetPath() != ".github" && e.GetPath() != "docs" {
			continue
		}
		recursive := e.GetPath() == ".github"
		sub, _, err := gh.Git.GetTree(ctx, t.owner, t.name, e.GetSHA(), recursive)
		if err != nil {
			return fmt.Errorf("tree %s of %s/%s@%s: %w", e.GetPath(), t.owner, t.name, t.Commit, err)
		}
		if sub.GetTruncated() {
			return fmt.Errorf("tree %s of %s/%s@%s: truncated by GitHub; refusing to scan what it cannot list", e.GetPath(), t.owner, t.name, t.Commit)
		}
		t.addEntries(e.GetPath()+"/", sub.Entries)
	}
	return nil
}

func (t *Tree) addEntries(prefix string, entries []*github.TreeEntry) {
	for _, e := range entries {
		switch {
		case e.GetType() == "blob" && e.GetMode() == "120000":
			t.gitTree[prefix+e.GetPath()] = "link:" + e.GetSHA()
		case e.GetType() == "blob":
			t.gitTree[prefix+e.GetPath()] = e.GetSHA()
		}
	}
}

// listed reports whether the git tree the App holds lists every file at
// p's place: the whole tree, or after truncation the root, .github/ and
// docs/.
func (t *Tree) listed(p string) bool {
	if t.treeComplete {
		return true
	}
	dir := path.Dir(p)
	return dir == "." || dir == "docs" || strings.HasPrefix(p, ".github/")
}

// Unread lists the paths a rule reads whose content the App knows exists
// but could not read (beyond the per-job read limit, or not verifiable).
// A check that did not read them must not pass.
func (t *Tree) Unread() []string {
	var out []string
	for p, why := range t.Unseen {
		if why == ReasonOverReadLimit || why == ReasonNotVerified {
			out = append(out, p)
		}
	}
	return out
}

// CheckWritable makes sure every path about to be written is one whose
// current content the App read (or that does not exist), against the git
// tree: a file the archive hid must never be overwritten. before maps each
// path to the content the change expects (nil: a new file); it returns
// the paths refused.
func (t *Tree) CheckWritable(ctx context.Context, gh *github.Client, before map[string][]byte) ([]string, error) {
	if err := t.loadGitTree(ctx, gh); err != nil {
		return nil, err
	}
	var refused []string
	for p, b := range before {
		sha, exists := t.gitTree[p]
		switch {
		case !t.Seen(p):
			refused = append(refused, p)
		case b == nil && (exists || !t.listed(p)):
			refused = append(refused, p)
		case b != nil && (!exists || sha != blobSHA(b)):
			refused = append(refused, p)
		}
	}
	return refused, nil
}

// BaseTree is the SHA of the commit's git tree, for commits built on it.
func (t *Tree) BaseTree(ctx context.Context, gh *github.Client) (string, error) {
	if err := t.loadGitTree(ctx, gh); err != nil {
		return "", err
	}
	return t.treeSHA, nil
}

// Relevant reports the files whose content matters to a job: those a
// rule reads (its metadata says which), the configuration, and
// .gitattributes (which decides what the archive left out).
func Relevant(p string) bool {
	return checks.Reads(p) || p == config.File || path.Base(p) == ".gitattributes"
}

// blobSHA is git's object ID of a blob.
func blobSHA(data []byte) string {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
