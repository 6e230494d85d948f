// Package ghclient makes the App's GitHub clients: authenticated as the
// App (JWT) or as an installation (installation tokens, cached and renewed
// before they expire), every installation's writes paced, credentials
// redacted from errors. It also holds the one set of predicates over
// GitHub's answers (Status, IsNotFound, Refused, RetryDelay).
package ghclient

import (
	"context"
	"crypto/rsa"
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

	"github.com/hardener/hardener/app/intake"
)

// tokenRefreshMargin: an installation token is replaced this long before it
// expires, so that a job never starts with a token about to lapse.
const tokenRefreshMargin = 5 * time.Minute

// tokenTimeout bounds one token request.
const tokenTimeout = 30 * time.Second

// Clients makes GitHub clients authenticated as the App (JWT) or as one of its
// installations (installation tokens, cached per installation). Installation
// clients pace writes per installation (see Pacer).
type Clients struct {
	appID     int64
	apiBase   string // API root without trailing slash
	uploadURL string
	ghes      bool
	base      http.RoundTripper
	key       *rsa.PrivateKey
	apps      *ghinstallation.AppsTransport
	lim       Limits
	store     BudgetStore
	clock     Clock

	mu     sync.Mutex
	tokens map[string]*installationTransport
	pacers map[int64]*Pacer
}

// NewClients parses the App's private key and prepares clients for apiURL
// (empty means github.com; anything else is treated as GitHub Enterprise
// Server). base carries every request (nil: http.DefaultTransport). Writes
// are paced at intake.DefaultWriteRate until SetWriteRate says otherwise,
// with a budget kept in memory until SetBudgetStore names a shared one.
func NewClients(appID int64, privateKeyPEM []byte, apiURL string, base http.RoundTripper) (*Clients, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	c := &Clients{
		appID: appID, base: base, lim: LimitsFor(intake.DefaultWriteRate),
		store: NewMemoryStore(), clock: SystemClock(),
		tokens: make(map[string]*installationTransport), pacers: make(map[int64]*Pacer),
	}
	apiURL = strings.TrimRight(apiURL, "/")
	if apiURL == "" || apiURL == intake.DefaultAPIURL {
		c.apiBase = intake.DefaultAPIURL
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
	key, err := intake.ParseRSAKey(privateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("github app %d private key: %w", appID, err)
	}
	c.key = key
	c.apps = c.newAppsTransport()
	return c, nil
}

func (c *Clients) newAppsTransport() *ghinstallation.AppsTransport {
	apps := ghinstallation.NewAppsTransportFromPrivateKey(c.base, c.appID, c.key)
	apps.BaseURL = c.apiBase
	return apps
}

// SetWriteRate sets content-creating requests per minute per installation
// (HARDENER_WRITE_RATE; see LimitsFor) for installations not yet used (0
// turns the budget off; GitHub's pauses are still honoured). Call it
// before use.
func (c *Clients) SetWriteRate(perMinute int) {
	c.mu.Lock()
	c.lim = LimitsFor(max(perMinute, 0))
	c.mu.Unlock()
}

// SetBudgetStore makes every installation's write budget and pauses live in
// store, shared with other workers that use the same store. Call it before
// use.
func (c *Clients) SetBudgetStore(store BudgetStore) {
	c.mu.Lock()
	c.store = store
	c.mu.Unlock()
}

// SetClock makes the clients read time from clock (token expiry, budget,
// retries). Call it before use.
func (c *Clients) SetClock(clock Clock) {
	c.mu.Lock()
	c.clock = clock
	c.mu.Unlock()
}

// WriteBudgetFree says when installation's write budget next has room,
// without booking it (zero time: now, or no budget). A job that can do
// nothing without writing asks first, and waits without spending reads.
func (c *Clients) WriteBudgetFree(ctx context.Context, installation int64) (time.Time, error) {
	c.mu.Lock()
	store, lim, clock := c.store, c.lim, c.clock
	c.mu.Unlock()
	if !lim.On() {
		return time.Time{}, nil
	}
	now := clock.Now()
	at, _, err := store.Reserve(ctx, installation, now, lim, -1)
	if err != nil || !at.After(now) {
		return time.Time{}, err
	}
	return at, nil
}

// Clock is the clients' clock.
func (c *Clients) Clock() Clock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clock
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
		it = &installationTransport{base: c.base, now: c.clock.Now, fresh: func() *ghinstallation.Transport {
			// ghinstallation writes to the AppsTransport while refreshing:
			// one per refresh keeps concurrent installations apart.
			tr := ghinstallation.NewFromAppsTransport(c.newAppsTransport(), installationID)
			tr.BaseURL = c.apiBase
			tr.Client = &http.Client{Transport: c.base, Timeout: tokenTimeout}
			tr.InstallationTokenOptions = opts
			return tr
		}}
		c.tokens[key] = it
	}
	p, ok := c.pacers[installationID]
	if !ok {
		p = NewPacer(installationID, c.store, c.lim, c.clock)
		c.pacers[installationID] = p
	}
	c.mu.Unlock()
	if _, err := it.refresh(ctx); err != nil {
		return nil, err
	}
	return c.newClient(p.Transport(it)), nil
}

// Granted returns the permissions GitHub granted the installation's full
// token (fetched by Installation), or nil when no token is cached. The App
// uses it to skip requests it knows would be refused.
func (c *Clients) Granted(installationID int64) map[string]string {
	key, _, _ := tokenKey(installationID, nil, nil)
	c.mu.Lock()
	it := c.tokens[key]
	c.mu.Unlock()
	if it == nil {
		return nil
	}
	return it.granted()
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
		// Not nil: ghinstallation would send the JSON body `null`, which is
		// not an object; `{}` asks for everything the installation has.
		return key, &github88.InstallationTokenOptions{}, nil
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
// fetches the token but would keep it until a minute before expiry, and its
// Expiry is not safe during a refresh; so this keeps the token itself, renews
// it tokenRefreshMargin before expiry, and holds its lock while renewing so
// that there is one refresh at a time.
type installationTransport struct {
	base  http.RoundTripper
	fresh func() *ghinstallation.Transport
	now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	perms   map[string]string // what GitHub granted the token
}

func (t *installationTransport) expired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token != "" && t.now().After(t.expires)
}

// refresh returns a token valid for at least tokenRefreshMargin, fetching one
// if needed. Errors are redacted.
func (t *installationTransport) refresh(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.expires.Sub(t.now()) > tokenRefreshMargin {
		return t.token, nil
	}
	tr := t.fresh()
	tok, err := tr.Token(ctx)
	if err != nil {
		return "", Redact(err)
	}
	exp, _, err := tr.Expiry()
	if err != nil {
		return "", Redact(err)
	}
	t.token, t.expires = tok, exp
	t.perms = nil
	if p, err := tr.Permissions(); err == nil {
		// ghinstallation speaks a newer go-github; the wire format is the same.
		if raw, err := json.Marshal(p); err == nil {
			_ = json.Unmarshal(raw, &t.perms)
		}
	}
	return tok, nil
}

// granted returns the permissions of the current token, or nil when
// unknown.
func (t *installationTransport) granted() map[string]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.perms
}

func (t *installationTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.refresh(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	creq := req.Clone(req.Context())
	creq.Header.Set("Authorization", "token "+tok)
	if creq.Header.Get("Accept") == "" {
		creq.Header.Set("Accept", "application/vnd.github+json")
	}
	resp, err := t.base.RoundTrip(creq)
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
