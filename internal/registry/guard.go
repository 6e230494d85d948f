package registry

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Registry hosts come from repository content (an image reference in a
// workflow or Dockerfile), and token realms and redirects from whatever
// server answers. Without a guard, an installer could make the worker call
// cloud metadata (169.254.169.254), the loopback interface or the private
// network, and read the answer back as a "token". So every connection the
// client opens is checked against the address it is about to dial, after
// DNS resolution (a net.Dialer Control function): a name that resolves, or
// later rebinds, to a refused address is refused too.

// ErrForbiddenAddress is returned for a connection to an address that is
// not a public unicast address.
var ErrForbiddenAddress = errors.New("refusing to connect to a non-public address")

// ErrInsecureRealm is returned for a token realm that is not https.
var ErrInsecureRealm = errors.New("token realm is not https")

// maxRedirects bounds the redirects one request follows; registries use
// one (to blob storage) at most.
const maxRedirects = 3

// refused lists the non-public ranges netip's predicates do not cover.
var refused = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: embeds any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds an IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
}

// public reports whether a is a public unicast address: not loopback,
// private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, unspecified,
// multicast, IPv4-mapped IPv6 or any range in refused.
func public(a netip.Addr) bool {
	if !a.IsValid() || a.Is4In6() || a.Zone() != "" {
		return false
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() ||
		a.IsUnspecified() || a.IsMulticast() {
		return false
	}
	for _, p := range refused {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// newHTTPClient returns the client every request goes through: the dial
// guard, TLS to the system roots, no proxy from the environment (a proxy
// would resolve the name itself, past the guard), bounded waits, and the
// redirect policy of checkRedirect.
func newHTTPClient(trusted map[netip.AddrPort]bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if trusted[ap] || public(ap.Addr()) {
				return nil
			}
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		},
	}
	t := &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{Transport: t, CheckRedirect: checkRedirect}
}

// checkRedirect follows at most maxRedirects redirects, never from https
// to http, and never sends the Authorization header (a bearer token or
// basic credentials) to a host other than the one it was meant for. Each
// new host is dialled through the guard like the first.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing a redirect from https to %s", req.URL.Scheme)
	}
	if req.URL.Host != via[0].URL.Host {
		req.Header.Del("Authorization")
	}
	return nil
}

// trustedAddrs are the addresses Endpoints names literally (127.0.0.1:5000,
// [fd00::5]:443): the operator configured them, so the guard lets them
// through even when they are not public (a mirror on the private network,
// a registry in a test). A name in Endpoints gets no such trust.
func trustedAddrs(endpoints map[string]string) map[netip.AddrPort]bool {
	out := map[netip.AddrPort]bool{}
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		a, err := netip.ParseAddr(u.Hostname())
		if err != nil || port == "" {
			continue
		}
		if ap, err := netip.ParseAddrPort(net.JoinHostPort(a.String(), port)); err == nil {
			out[ap] = true
		}
	}
	return out
}
