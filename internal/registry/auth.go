package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// challenge is a parsed WWW-Authenticate header.
type challenge struct {
	scheme string // "bearer" or "basic", lower case
	params map[string]string
}

// parseChallenge reads `Bearer realm="…",service="…",scope="…"`. Values may
// be quoted (and then contain commas, as scopes do) or bare tokens.
func parseChallenge(h string) (challenge, bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	c := challenge{scheme: strings.ToLower(scheme), params: map[string]string{}}
	if c.scheme == "" {
		return c, false
	}
	for rest = strings.TrimSpace(rest); rest != ""; {
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimLeft(v, " ")
		if strings.HasPrefix(v, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
			}
			c.params[k] = b.String()
			rest = v[min(i+1, len(v)):]
		} else {
			val, after, _ := strings.Cut(v, ",")
			c.params[k] = strings.TrimSpace(val)
			rest = "," + after
		}
		rest = strings.TrimLeft(rest, ", ")
	}
	return c, true
}

// token is a cached bearer token.
type token struct {
	value   string
	expires time.Time
}

// bearer returns a token for the challenge, from the cache (per realm,
// service and scope) or from the realm: anonymously, or with the
// registry's basic credentials when Credentials gives some.
func (c *Client) bearer(ctx context.Context, host string, secure bool, ch challenge) (string, error) {
	realm := ch.params["realm"]
	ru, err := url.Parse(realm)
	if err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" || ru.User != nil {
		return "", fmt.Errorf("registry %s: bad token realm %q", host, realm)
	}
	// The realm comes from the registry's answer. Over http its answer
	// (the token) and our credentials could be read or forged on the way;
	// only a registry configured as plain http may keep its realm on
	// itself over http.
	if ru.Scheme != "https" && (secure || ru.Host != c.endpointHost(host)) {
		return "", fmt.Errorf("registry %s: %w: %s", host, ErrInsecureRealm, redactURL(ru))
	}
	q := ru.Query()
	for _, k := range []string{"service", "scope"} {
		if v := ch.params[k]; v != "" {
			q.Set(k, v)
		}
	}
	ru.RawQuery = q.Encode()
	key := ru.String()
	c.mu.Lock()
	t, ok := c.tokens[key]
	c.mu.Unlock()
	if ok && c.now().Before(t.expires) {
		return t.value, nil
	}
	v, err, _ := c.flights.Do("token "+key, func() (any, error) {
		return c.fetchToken(ctx, host, ru)
	})
	if err != nil {
		return "", err
	}
	t = v.(token)
	c.mu.Lock()
	c.tokens[key] = t
	c.mu.Unlock()
	return t.value, nil
}

func (c *Client) fetchToken(ctx context.Context, host string, ru *url.URL) (token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return token{}, err
	}
	// Credentials go to the realm only (an https one, or the plain-http
	// registry itself, see bearer).
	if c.Credentials != nil {
		if user, pass := c.Credentials(host); user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return token{}, fmt.Errorf("registry %s: token: %w", host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return token{}, statusError(resp, "token for "+host)
	}
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return token{}, fmt.Errorf("registry %s: token: %w", host, err)
	}
	t := token{value: body.Token}
	if t.value == "" {
		t.value = body.AccessToken
	}
	if t.value == "" {
		return token{}, fmt.Errorf("registry %s: token response without a token", host)
	}
	// The distribution spec's default lifetime is 60 s; keep a margin.
	life := time.Duration(max(body.ExpiresIn, 60)) * time.Second
	t.expires = c.now().Add(life - 10*time.Second)
	return t, nil
}

// rememberChallenge keeps the bearer challenge of a host so that the next
// repository on it asks for a token before the first request rather than
// after a 401.
func (c *Client) rememberChallenge(host string, ch challenge) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.challenges[host] = ch
}

func (c *Client) knownChallenge(host, repo string) (challenge, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.challenges[host]
	if !ok {
		return ch, false
	}
	params := map[string]string{"realm": ch.params["realm"], "service": ch.params["service"],
		"scope": "repository:" + repo + ":pull"}
	return challenge{scheme: ch.scheme, params: params}, true
}

// endpointHost is the host (and port) requests for a registry go to.
func (c *Client) endpointHost(host string) string {
	base, _ := c.endpoint(host)
	if u, err := url.Parse(base); err == nil {
		return u.Host
	}
	return ""
}

// redactURL drops the query of a URL for error messages.
func redactURL(u *url.URL) string {
	r := *u
	r.RawQuery, r.User = "", nil
	return r.String()
}
