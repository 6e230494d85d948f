package snapshot

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
)

// maxBlobFetches bounds the files fetched one by one when the archive
// differs from the git tree.
const maxBlobFetches = 64

// ErrEmptyRepository is returned for a repository without commits, or a
// commit that does not exist.
var ErrEmptyRepository = errors.New("repository is empty")

// Fetcher downloads repository snapshots.
type Fetcher struct {
	// Download fetches tarballs from the link GitHub redirects to; it
	// sends no credentials (the link carries its own). Nil: a client with
	// a 2-minute timeout.
	Download *http.Client
	// Limits bound archives (zero fields: DefaultLimits).
	Limits Limits
}

var defaultDownload = &http.Client{Timeout: 2 * time.Minute}

// Fetch downloads the tarball of ref (a commit SHA, or "" for the default
// branch) — one API request and one download — and, when the archive may
// differ from the git tree, checks it against the tree.
func (f *Fetcher) Fetch(ctx context.Context, gh *github.Client, owner, name, ref string) (*Tree, error) {
	u, err := archiveLink(ctx, gh, owner, name, ref)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	download := f.Download
	if download == nil {
		download = defaultDownload
	}
	dl, err := download.Do(req)
	if err != nil {
		// The link carries a token: never show it.
		return nil, fmt.Errorf("download tarball of %s/%s: %w", owner, name, ghclient.Redact(stripURL(err)))
	}
	defer dl.Body.Close()
	if dl.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download tarball of %s/%s: %w", owner, name,
			&github.ErrorResponse{Response: dl, Message: "download: " + dl.Status})
	}
	lim := f.Limits.withDefaults()
	t, err := extractTarball(io.LimitReader(dl.Body, lim.MaxBytes), lim)
	if err != nil {
		return nil, err
	}
	t.owner, t.name = owner, name
	if isCommitSHA(ref) {
		t.Commit = ref
	}
	if t.Commit == "" {
		return nil, fmt.Errorf("tarball of %s/%s: no commit SHA in the archive", owner, name)
	}
	if mayDiffer(t) {
		if err := t.verify(ctx, gh); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// archiveLink asks for the tarball of ref and returns where GitHub
// redirects. The redirect is not followed with the installation's client,
// and errors are go-github's typed errors (rate limits included).
func archiveLink(ctx context.Context, gh *github.Client, owner, name, ref string) (string, error) {
	segs := strings.Split(ref, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	req, err := gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/tarball/%s", url.PathEscape(owner), url.PathEscape(name), strings.Join(segs, "/")), nil)
	if err != nil {
		return "", err
	}
	hc := *gh.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("tarball of %s/%s: %w", owner, name, ghclient.Redact(stripURL(err)))
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusFound, http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusSeeOther:
		loc := resp.Header.Get("Location")
		if loc == "" {
			return "", fmt.Errorf("tarball of %s/%s: redirect without Location", owner, name)
		}
		return loc, nil
	case http.StatusNotFound, http.StatusConflict:
		return "", fmt.Errorf("tarball of %s/%s@%s: %w", owner, name, ref, ErrEmptyRepository)
	}
	if err := github.CheckResponse(resp); err != nil {
		return "", fmt.Errorf("tarball of %s/%s: %w", owner, name, err)
	}
	return "", fmt.Errorf("tarball of %s/%s: unexpected status %s", owner, name, resp.Status)
}

func stripURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap()
	}
	return err
}

// mayDiffer reports whether `git archive` may have left files out or
// rewritten them: a .gitattributes mentions export-ignore or export-subst,
// or there is no .github folder (`/.github export-ignore` in a
// .gitattributes that ignores itself too).
func mayDiffer(t *Tree) bool {
	hasGitHub := false
	for p, f := range t.Files {
		if strings.HasPrefix(p, ".github/") {
			hasGitHub = true
		}
		if path.Base(p) == ".gitattributes" {
			s := string(f.Data)
			if strings.Contains(s, "export-ignore") || strings.Contains(s, "export-subst") {
				return true
			}
		}
	}
	return !hasGitHub
}

// loadGitTree fetches the recursive git tree of t.Commit once.
func (t *Tree) loadGitTree(ctx context.Context, gh *github.Client) error {
	if t.gitTree != nil {
		return nil
	}
	gt, _, err := gh.Git.GetTree(ctx, t.owner, t.name, t.Commit, true)
	if err != nil {
		return fmt.Errorf("git tree of %s/%s@%s: %w", t.owner, t.name, t.Commit, err)
	}
	t.gitTree, t.treeSHA = map[string]string{}, gt.GetSHA()
	for _, e := range gt.Entries {
		switch {
		case e.GetType() == "blob" && e.GetMode() == "120000":
			t.gitTree[e.GetPath()] = "link:" + e.GetSHA()
		case e.GetType() == "blob":
			t.gitTree[e.GetPath()] = e.GetSHA()
		}
	}
	if gt.GetTruncated() {
		intake.LoggerFrom(ctx).Warn("git tree truncated; files beyond it are not verified", "entries", len(gt.Entries))
	}
	return nil
}

// verify checks the archive against the git tree: files missing from it
// or changed by export-subst are fetched as blobs when a job reads them
// (see Relevant), and listed as not seen otherwise.
func (t *Tree) verify(ctx context.Context, gh *github.Client) error {
	if err := t.loadGitTree(ctx, gh); err != nil {
		return err
	}
	fetched := 0
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
		if !Relevant(p) || fetched >= maxBlobFetches {
			t.Unseen[p] = reason
			continue
		}
		data, _, err := gh.Git.GetBlobRaw(ctx, t.owner, t.name, sha)
		if err != nil {
			return fmt.Errorf("blob %s of %s/%s: %w", p, t.owner, t.name, err)
		}
		fetched++
		t.Files[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	// The archive cannot hold files the tree does not have.
	for p := range t.Files {
		if _, ok := t.gitTree[p]; !ok {
			delete(t.Files, p)
		}
	}
	t.Verified = true
	return nil
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
		case b == nil && exists:
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
