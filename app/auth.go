package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
	github88 "github.com/google/go-github/v88/github"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// tokenRefreshMargin: an installation token is replaced this long before it
// expires, so that a job never starts with a token about to lapse.
const tokenRefreshMargin = 5 * time.Minute

// Clients makes GitHub clients authenticated as the App (JWT) or as one of its
// installations (installation tokens, cached per installation). Installation
// clients pace writes per installation (see Pacer).
type Clients struct {
	appID     int64
	apiBase   string // API root without trailing slash
	uploadURL string
	ghes      bool
	base      http.RoundTripper
	apps      *ghinstallation.AppsTransport
	writeRate int

	mu     sync.Mutex
	tokens map[string]*installationTransport
	pacers map[int64]*Pacer
}

// NewClients parses the App's private key and prepares clients for apiURL
// (empty means github.com; anything else is treated as GitHub Enterprise
// Server). base carries every request (nil: http.DefaultTransport). Writes
// are paced at DefaultWriteRate until SetWriteRate says otherwise.
func NewClients(appID int64, privateKeyPEM []byte, apiURL string, base http.RoundTripper) (*Clients, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	c := &Clients{
		appID: appID, base: base, writeRate: DefaultWriteRate,
		tokens: make(map[string]*installationTransport), pacers: make(map[int64]*Pacer),
	}
	apiURL = strings.TrimRight(apiURL, "/")
	if apiURL == "" || apiURL == DefaultAPIURL {
		c.apiBase = DefaultAPIURL
	} else {
		u, err := url.Parse(apiURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("GITHUB_API_URL %q: not an absolute URL", apiURL)
		}
		probe, err := github.NewClient(nil).WithEnterpriseURLs(apiURL, apiURL)
		if err != nil {
			return nil, fmt.Errorf("GITHUB_API_URL %q: %w", apiURL, err)
		}
		c.ghes = true
		c.apiBase = strings.TrimSuffix(probe.BaseURL.String(), "/")
		up := *probe.BaseURL
		up.Path = strings.TrimSuffix(strings.TrimSuffix(up.Path, "/"), "/api/v3") + "/api/uploads/"
		c.uploadURL = up.String()
	}
	apps, err := ghinstallation.NewAppsTransport(base, appID, privateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("github app %d: %w", appID, Redact(err))
	}
	apps.BaseURL = c.apiBase
	c.apps = apps
	return c, nil
}

// SetWriteRate sets content-creating requests per minute per installation for
// installations not yet used (0 turns spacing off). Call it before use.
func (c *Clients) SetWriteRate(perMinute int) {
	c.mu.Lock()
	c.writeRate = max(perMinute, 0)
	c.mu.Unlock()
}

// APIBase is the REST API root the clients talk to, without trailing slash.
func (c *Clients) APIBase() string { return c.apiBase }

func (c *Clients) newClient(rt http.RoundTripper) *github.Client {
	gh := github.NewClient(&http.Client{Transport: rt})
	if c.ghes {
		// apiBase and uploadURL are already normalised; this cannot fail.
		gh, _ = gh.WithEnterpriseURLs(c.apiBase+"/", c.uploadURL)
	}
	return gh
}

// App returns a client authenticated as the App itself (a short-lived JWT per
// request), for /app endpoints.
func (c *Clients) App(ctx context.Context) *github.Client {
	return c.newClient(&appTransport{apps: c.apps})
}

// Installation returns a client authenticated as the installation. Its token
// is fetched now if none is cached, and reused until shortly before expiry.
func (c *Clients) Installation(ctx context.Context, installationID int64) (*github.Client, error) {
	return c.InstallationFor(ctx, installationID, nil, nil)
}

// InstallationFor is Installation with a token narrowed to repoIDs and perms
// (nil: everything the installation may access). Narrowed tokens are cached
// per (installation, repositories, permissions).
func (c *Clients) InstallationFor(ctx context.Context, installationID int64, repoIDs []int64, perms *github.InstallationPermissions) (*github.Client, error) {
	key, opts, err := tokenKey(installationID, repoIDs, perms)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	it, ok := c.tokens[key]
	if !ok {
		c.pruneLocked()
		it = &installationTransport{fresh: func() *ghinstallation.Transport {
			tr := ghinstallation.NewFromAppsTransport(c.apps, installationID)
			tr.BaseURL = c.apiBase
			tr.InstallationTokenOptions = opts
			return tr
		}}
		it.tr = it.fresh()
		c.tokens[key] = it
	}
	p, ok := c.pacers[installationID]
	if !ok {
		p = NewPacer(c.writeRate)
		c.pacers[installationID] = p
	}
	c.mu.Unlock()
	if err := it.refresh(ctx); err != nil {
		return nil, err
	}
	return c.newClient(p.Transport(it)), nil
}

// pruneLocked drops cached transports whose token has expired, so that the
// cache of narrowed tokens does not grow without bound.
func (c *Clients) pruneLocked() {
	for k, it := range c.tokens {
		if it.expired() {
			delete(c.tokens, k)
		}
	}
}

func tokenKey(id int64, repoIDs []int64, perms *github.InstallationPermissions) (string, *github88.InstallationTokenOptions, error) {
	key := strconv.FormatInt(id, 10)
	if len(repoIDs) == 0 && perms == nil {
		return key, nil, nil
	}
	opts := &github88.InstallationTokenOptions{RepositoryIDs: slices.Sorted(slices.Values(repoIDs))}
	key += "|" + fmt.Sprint(opts.RepositoryIDs)
	if perms != nil {
		// ghinstallation speaks a newer go-github; the wire format is the same.
		raw, err := json.Marshal(perms)
		if err != nil {
			return "", nil, fmt.Errorf("installation permissions: %w", err)
		}
		opts.Permissions = &github88.InstallationPermissions{}
		if err := json.Unmarshal(raw, opts.Permissions); err != nil {
			return "", nil, fmt.Errorf("installation permissions: %w", err)
		}
		key += "|" + string(raw)
	}
	return key, opts, nil
}

// installationTransport authenticates as one installation. ghinstallation
// caches the token but refreshes only a minute before expiry; this replaces
// the transport earlier, one refresh at a time.
type installationTransport struct {
	mu    sync.Mutex
	tr    *ghinstallation.Transport
	fresh func() *ghinstallation.Transport
}

func (t *installationTransport) current() *ghinstallation.Transport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if exp, _, err := t.tr.Expiry(); err == nil && time.Until(exp) < tokenRefreshMargin {
		t.tr = t.fresh()
	}
	return t.tr
}

func (t *installationTransport) expired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, _, err := t.tr.Expiry()
	return err == nil && time.Now().After(exp)
}

// refresh makes sure a usable token is cached; ghinstallation serialises the
// request itself.
func (t *installationTransport) refresh(ctx context.Context) error {
	_, err := t.current().Token(ctx)
	return Redact(err)
}

func (t *installationTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.current().RoundTrip(req)
	if err != nil {
		return nil, Redact(err)
	}
	// The request GitHub saw carries the token; hand back the caller's own.
	resp.Request = req
	return resp, nil
}

// appTransport signs requests as the App without touching the caller's
// request (ghinstallation sets the JWT header on the request it is given).
type appTransport struct{ apps *ghinstallation.AppsTransport }

func (t *appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.apps.RoundTrip(req.Clone(req.Context()))
	if err != nil {
		return nil, Redact(err)
	}
	resp.Request = req
	return resp, nil
}
