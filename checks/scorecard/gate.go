package scorecard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// errOffline is what a registry lookup gets while a scan is in progress.
var errOffline = errors.New("scorecard adapter: registry access is disabled during offline scans")

// gate refuses new network connections of go-containerregistry's default
// transport while at least one in-process Run is in progress.
//
// Scorecard's Pinned-Dependencies check calls crane.Digest for every
// unpinned Dockerfile image, only to word its remediation text, and gives
// no way to pass a transport: crane reads remote.DefaultTransport, a
// package variable. Hardener's scans are offline, so the dial is refused
// and Scorecard leaves that text empty.
//
// Replacing that variable is a decision for a whole process, so it is not
// made when the package is imported, only by the first in-process Run.
// Processes that run Scorecard in process are the CLI, the Sandbox's child
// (a process of its own, where Scorecard's transport is its own) and
// tests; a process that serves installations runs Scorecard through
// Sandbox and leaves remote.DefaultTransport alone. Hardener's own
// registry client never uses it (internal/registry has its own guarded
// transport).
type gate struct {
	active  atomic.Int64
	refused atomic.Int64 // dials refused, for tests
	t       *http.Transport
}

var (
	gateOnce     sync.Once
	registryGate *gate
)

// offline returns the gate, installing it on first use.
func offline() *gate {
	gateOnce.Do(func() { registryGate = installGate() })
	return registryGate
}

// installGate replaces remote.DefaultTransport once, before Scorecard
// first reads it, with a clone whose dialer consults the gate. It stays an *http.Transport because crane
// asserts that type when cloning it for insecure registries.
func installGate() *gate {
	g := &gate{}
	base, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		return g // someone replaced it already; leave it alone
	}
	t := base.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if g.active.Load() > 0 {
			g.refused.Add(1)
			return nil, errOffline
		}
		return dial(ctx, network, addr)
	}
	if tls := t.DialTLSContext; tls != nil {
		t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if g.active.Load() > 0 {
				g.refused.Add(1)
				return nil, errOffline
			}
			return tls(ctx, network, addr)
		}
	}
	g.t = t
	remote.DefaultTransport = t
	return g
}

// hold closes the gate until the returned function is called.
func (g *gate) hold() (release func()) {
	g.active.Add(1)
	if g.t != nil {
		// Kept-alive connections from before the scan would skip the dialer.
		g.t.CloseIdleConnections()
	}
	return func() { g.active.Add(-1) }
}
