package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
)

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
// branch) — one API request and one download — and checks it against the
// commit's git tree (one more request; see verify).
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
		// Not a github.ErrorResponse: its text would quote the link.
		return nil, fmt.Errorf("download tarball of %s/%s: %w", owner, name,
			ghclient.HTTPError(dl.StatusCode, "download answered "+dl.Status))
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
	// Always: a .gitattributes that export-ignores itself leaves no trace
	// in the archive of what else it hid.
	if err := t.verify(ctx, gh); err != nil {
		return nil, err
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
