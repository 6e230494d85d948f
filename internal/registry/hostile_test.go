package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// listener counts the connections made to it.
type listener struct {
	net.Listener
	accepted atomic.Int64
}

func listen(t *testing.T, network, addr string) *listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	l := &listener{Listener: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return l
}

func port(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }

// TestHostileRegistryNonPublicHosts: an image reference names the registry
// host, and the repository chooses it. The default client refuses to
// connect anywhere but public addresses, checked at dial time, whether the
// address is written out or a name resolves to it.
func TestHostileRegistryNonPublicHosts(t *testing.T) {
	t.Parallel()
	v4 := listen(t, "tcp4", "127.0.0.1:0")
	images := map[string]*listener{
		"loopback":                   v4,
		"localhost resolves to 127.": v4,
		"link-local metadata":        nil,
		"private 10/8":               nil,
		"carrier-grade NAT":          nil,
		"unspecified 0.0.0.0":        v4,
		"unique local fd00::/8":      nil,
	}
	refs := map[string]string{
		"loopback":                   fmt.Sprintf("127.0.0.1:%d/o/r:1", port(v4)),
		"localhost resolves to 127.": fmt.Sprintf("localhost:%d/o/r:1", port(v4)),
		"link-local metadata":        "169.254.169.254/latest/meta-data:1",
		"private 10/8":               "10.0.0.1/o/r:1",
		"carrier-grade NAT":          "100.64.0.1/o/r:1",
		"unspecified 0.0.0.0":        fmt.Sprintf("0.0.0.0:%d/o/r:1", port(v4)),
		"unique local fd00::/8":      "[fd00::1]/o/r:1",
	}
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		v6 := listen(t, "tcp6", "[::1]:0")
		images["loopback ::1"] = v6
		refs["loopback ::1"] = fmt.Sprintf("[::1]:%d/o/r:1", port(v6))
	}
	c := &Client{} // what deployments use
	for name, ref := range refs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := c.Digest(ctx, ref)
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("%s: err = %v, want ErrForbiddenAddress", ref, err)
			}
			if l := images[name]; l != nil && l.accepted.Load() != 0 {
				t.Errorf("%s: %d connections reached the listener", ref, l.accepted.Load())
			}
		})
	}
}

// TestHostilePublicAddresses checks the address predicate on the ranges
// the dial guard must refuse, including those netip has no predicate for.
func TestHostilePublicAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true, "140.82.112.3": true,
		"127.0.0.1": false, "::1": false, "169.254.169.254": false, "10.1.2.3": false,
		"172.16.0.1": false, "192.168.1.1": false, "100.64.0.1": false, "100.127.255.254": false,
		"0.0.0.0": false, "0.1.2.3": false, "::": false, "fc00::1": false, "fd12::1": false,
		"fe80::1": false, "::ffff:169.254.169.254": false, "::ffff:8.8.8.8": false,
		"224.0.0.1": false, "ff02::1": false, "255.255.255.255": false, "64:ff9b::a9fe:a9fe": false,
		"2002:a9fe:a9fe::1": false, "198.18.0.1": false,
	} {
		if got := public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// realmServer is a token endpoint that counts the requests it gets.
func realmServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"token":"t"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestHostileRegistryHTTPRealm: a registry reached over https that names an
// http:// token realm gets no token request (credentials and tokens would
// cross the network in clear).
func TestHostileRegistryHTTPRealm(t *testing.T) {
	t.Parallel()
	realm, hits := realmServer(t)
	c := &Client{Endpoints: map[string]string{"docker.io": realm.URL}}
	c.init()
	c.Credentials = func(string) (string, string) { return "u", "p" }
	ch := challenge{scheme: "bearer", params: map[string]string{"realm": realm.URL + "/token", "scope": "repository:o/r:pull"}}
	_, err := c.bearer(context.Background(), "ghcr.io", true, ch)
	if !errors.Is(err, ErrInsecureRealm) {
		t.Errorf("err = %v, want ErrInsecureRealm", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the http realm got %d requests", hits.Load())
	}
}

// TestHostileRegistryForeignHTTPRealm: a plain-http registry (configured
// so, as in tests) may keep its realm on itself over http, but not send
// the client to another http host.
func TestHostileRegistryForeignHTTPRealm(t *testing.T) {
	t.Parallel()
	realm, hits := realmServer(t)
	other := strings.Replace(realm.URL, "127.0.0.1", "localhost", 1) // same server, another host
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+other+`/token",service="s"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(reg.Close)
	c := &Client{Endpoints: map[string]string{"docker.io": reg.URL, "ghcr.io": realm.URL}}
	_, err := c.Digest(context.Background(), "node:20")
	if !errors.Is(err, ErrInsecureRealm) {
		t.Errorf("err = %v, want ErrInsecureRealm", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the foreign realm got %d requests", hits.Load())
	}
}

// TestHostileRegistryRedirects: a registry's redirects are followed a few
// times at most, each target is dialled through the guard again, and the
// Authorization header never follows to another host.
func TestHostileRegistryRedirects(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var foreignAuth []string
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		foreignAuth = append(foreignAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Docker-Content-Digest", dgst)
	}))
	t.Cleanup(foreign.Close)
	untrusted := listen(t, "tcp4", "127.0.0.1:0")
	var loops atomic.Int64
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" && !strings.HasPrefix(r.URL.Path, "/token") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="s"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/token":
			fmt.Fprint(w, `{"token":"tok"}`)
		case strings.Contains(r.URL.Path, "/metadata/"):
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
		case strings.Contains(r.URL.Path, "/private/"):
			http.Redirect(w, r, "http://10.0.0.1/", http.StatusTemporaryRedirect)
		case strings.Contains(r.URL.Path, "/mapped/"):
			http.Redirect(w, r, "http://[::ffff:169.254.169.254]/", http.StatusTemporaryRedirect)
		case strings.Contains(r.URL.Path, "/loopback/"):
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/", port(untrusted)), http.StatusTemporaryRedirect)
		case strings.Contains(r.URL.Path, "/loop/"):
			loops.Add(1)
			http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
		case strings.Contains(r.URL.Path, "/elsewhere/"):
			http.Redirect(w, r, foreign.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}
	}))
	t.Cleanup(reg.Close)
	// Both test servers are trusted by address, as a configured mirror
	// would be; the redirects' other targets are not.
	c := &Client{Endpoints: map[string]string{"docker.io": reg.URL, "quay.io": foreign.URL}}
	ctx := context.Background()
	for _, img := range []string{"o/metadata:1", "o/private:1", "o/mapped:1", "o/loopback:1"} {
		if _, err := c.Digest(ctx, img); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", img, err)
		}
	}
	if n := untrusted.accepted.Load(); n != 0 {
		t.Errorf("the untrusted loopback port got %d connections", n)
	}
	if _, err := c.Digest(ctx, "o/loop:1"); err == nil || loops.Load() > maxRedirects+1 {
		t.Errorf("redirect loop: err = %v after %d requests, want an error within %d", err, loops.Load(), maxRedirects+1)
	}
	ref, err := c.Digest(ctx, "o/elsewhere:1")
	if err != nil || ref.Digest != dgst {
		t.Fatalf("redirect to another host: %+v, %v", ref, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range foreignAuth {
		if a != "" {
			t.Errorf("the other host received Authorization %q", a)
		}
	}
	if len(foreignAuth) == 0 {
		t.Error("the redirect was not followed")
	}
}
