// Package registry resolves container image tags to digests over the OCI
// distribution API, for pinning images as name:tag@sha256:…
//
// The digest is the one the registry serves for the tag itself: for a
// multi-platform image that is the index (manifest list), never one
// platform's manifest, so the pin works on every architecture.
package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

var (
	// ErrNotFound means the registry has no such repository or tag.
	ErrNotFound = errors.New("image not found")
	// ErrDenied means the registry refused access even with a token. Docker
	// Hub answers this way for private and for non-existent repositories.
	ErrDenied = errors.New("access to image denied")
)

// StatusError is an unexpected HTTP answer (429, 5xx, …); it is not cached.
type StatusError struct {
	What       string
	StatusCode int
	// RetryAfter is the Retry-After header of a 429 or 503, if any.
	RetryAfter string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("registry %s: HTTP %d", e.What, e.StatusCode)
}

// manifestTypes asks for an index first: without the index types in
// Accept a registry may answer with one platform's manifest and digest.
var manifestTypes = strings.Join([]string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}, ", ")

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// maxManifest bounds a manifest body read when the digest header is absent.
const maxManifest = 4 << 20

// Client resolves image tags to digests. The zero value is ready to use and
// safe for concurrent use; configure fields before the first call.
//
// Every connection goes through the guard of guard.go: only public
// addresses are dialled, token realms must be https, redirects are few and
// checked again, and a token never travels to another host.
type Client struct {
	// Endpoints overrides the base URL of a registry host, e.g.
	// "docker.io" → a mirror. Default: https://HOST, and
	// https://registry-1.docker.io for docker.io. An endpoint named by IP
	// address (http://127.0.0.1:5000, a test's or a private mirror's) is
	// trusted by the address guard; nothing else opens it. A plain http://
	// endpoint may name a token realm on itself over http.
	Endpoints map[string]string
	// Credentials, if set, gives basic credentials for a registry host,
	// used to get tokens (and for registries that ask for basic auth).
	// Empty user and password mean anonymous.
	Credentials func(host string) (user, pass string)
	// TTL is how long digests are cached (default 10 minutes: tags move).
	TTL time.Duration

	once       sync.Once
	client     *http.Client
	mu         sync.Mutex
	now        func() time.Time
	digests    map[string]cachedDigest
	tokens     map[string]token
	challenges map[string]challenge
	flights    singleflight.Group
}

type cachedDigest struct {
	digest  string
	err     error
	expires time.Time
}

func (c *Client) init() {
	c.once.Do(func() {
		if c.now == nil {
			c.now = time.Now
		}
		c.digests = map[string]cachedDigest{}
		c.tokens = map[string]token{}
		c.challenges = map[string]challenge{}
		c.client = newHTTPClient(trustedAddrs(c.Endpoints))
	})
}

func (c *Client) http() *http.Client { return c.client }

// Digest parses image and returns it with Digest set to the digest the
// registry serves for its tag. An image already pinned by digest is
// returned as parsed, without a request. Answers (including ErrNotFound and
// ErrDenied) are cached per process; network errors and other HTTP
// statuses (*StatusError) are not.
func (c *Client) Digest(ctx context.Context, image string) (Ref, error) {
	c.init()
	ref, err := ParseRef(image)
	if err != nil || ref.Digest != "" {
		return ref, err
	}
	key := ref.key()
	c.mu.Lock()
	e, ok := c.digests[key]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		ref.Digest = e.digest
		return ref, e.err
	}
	ch := c.flights.DoChan("digest "+key, func() (any, error) {
		d, err := c.fetch(context.WithoutCancel(ctx), ref)
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrDenied) {
			ttl := c.TTL
			if ttl <= 0 {
				ttl = 10 * time.Minute
			}
			c.mu.Lock()
			c.digests[key] = cachedDigest{digest: d, err: err, expires: c.now().Add(ttl)}
			c.mu.Unlock()
		}
		return d, err
	})
	select {
	case res := <-ch:
		ref.Digest, _ = res.Val.(string)
		return ref, res.Err
	case <-ctx.Done():
		return ref, ctx.Err()
	}
}

// fetch asks the registry for the tag's digest: HEAD (which Docker Hub does
// not count against pull limits), then GET and hash the body if the
// registry gives no Docker-Content-Digest.
func (c *Client) fetch(ctx context.Context, ref Ref) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	resp, err := c.manifest(ctx, http.MethodHead, ref)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if d := resp.Header.Get("Docker-Content-Digest"); resp.StatusCode == http.StatusOK && digestRE.MatchString(d) {
		return d, nil
	}
	// Some registries answer HEAD without the header, or not at all (405).
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusMethodNotAllowed {
		return "", statusError(resp, ref.Name()+":"+ref.Tag)
	}
	resp, err = c.manifest(ctx, http.MethodGet, ref)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", statusError(resp, ref.Name()+":"+ref.Tag)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return "", fmt.Errorf("registry %s: %w", ref.Name(), err)
	}
	if len(body) > maxManifest {
		return "", fmt.Errorf("registry %s: manifest larger than %d bytes", ref.Name(), maxManifest)
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// manifest sends one manifest request, answering a token challenge once.
func (c *Client) manifest(ctx context.Context, method string, ref Ref) (*http.Response, error) {
	base, secure := c.endpoint(ref.Registry)
	u := base + "/v2/" + ref.Repository + "/manifests/" + ref.Tag
	auth := ""
	if ch, ok := c.knownChallenge(ref.Registry, ref.Repository); ok {
		if t, err := c.bearer(ctx, ref.Registry, secure, ch); err == nil {
			auth = "Bearer " + t
		}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", ref.Name(), err)
		}
		req.Header.Set("Accept", manifestTypes)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := c.http().Do(req)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", ref.Name(), err)
		}
		if resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp, nil
		}
		resp.Body.Close()
		ch, ok := parseChallenge(resp.Header.Get("WWW-Authenticate"))
		switch {
		case ok && ch.scheme == "bearer":
			if ch.params["scope"] == "" {
				ch.params["scope"] = "repository:" + ref.Repository + ":pull"
			}
			c.rememberChallenge(ref.Registry, ch)
			t, err := c.bearer(ctx, ref.Registry, secure, ch)
			if err != nil {
				return nil, err
			}
			auth = "Bearer " + t
		case ok && ch.scheme == "basic" && c.Credentials != nil:
			user, pass := c.Credentials(ref.Registry)
			req.SetBasicAuth(user, pass)
			auth = req.Header.Get("Authorization")
		default:
			return nil, fmt.Errorf("registry %s: %w (unauthorized)", ref.Name(), ErrDenied)
		}
	}
}

// endpoint returns the base URL for a registry host and whether it is
// HTTPS.
func (c *Client) endpoint(host string) (string, bool) {
	if u, ok := c.Endpoints[host]; ok {
		u = strings.TrimRight(u, "/")
		return u, strings.HasPrefix(u, "https://")
	}
	if host == DockerHub {
		host = "registry-1.docker.io"
	}
	return "https://" + host, true
}

// statusError turns a failed answer into ErrNotFound, ErrDenied or a
// *StatusError, reading the distribution error codes from the body.
func statusError(resp *http.Response, what string) error {
	var body struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	for _, e := range body.Errors {
		switch e.Code {
		case "MANIFEST_UNKNOWN", "NAME_UNKNOWN":
			return fmt.Errorf("registry %s: %w", what, ErrNotFound)
		case "DENIED", "UNAUTHORIZED":
			return fmt.Errorf("registry %s: %w", what, ErrDenied)
		}
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return fmt.Errorf("registry %s: %w", what, ErrNotFound)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("registry %s: %w", what, ErrDenied)
	}
	return &StatusError{What: what, StatusCode: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
}
