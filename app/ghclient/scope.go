package ghclient

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/go-github/v62/github"
)

type installationKey struct{}

// WithInstallation records the installation a job runs for, so that
// requests made on its behalf by process-wide helpers (the tag resolver)
// use its token and its pacing; see JobTransport.
func WithInstallation(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, installationKey{}, id)
}

// errNoInstallation is returned by JobTransport outside a job.
var errNoInstallation = errors.New("no installation in the request's context")

// Installations hands out installation clients; *Clients is one.
type Installations interface {
	Installation(ctx context.Context, installationID int64) (*github.Client, error)
}

// JobTransport sends each request with the token of the installation that
// WithInstallation recorded in the request's context, through that
// installation's pacing; a request without one fails.
func JobTransport(c Installations) http.RoundTripper { return &jobTransport{clients: c} }

type jobTransport struct{ clients Installations }

func (t *jobTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id, ok := req.Context().Value(installationKey{}).(int64)
	if !ok {
		closeBody(req)
		return nil, errNoInstallation
	}
	gh, err := t.clients.Installation(req.Context(), id)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	rt := gh.Client().Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return rt.RoundTrip(req)
}
