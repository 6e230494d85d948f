package app

import (
	"context"
	"errors"
	"net/http"

	"github.com/hardener/hardener/internal/resolve"
)

type installationCtxKey struct{}

// withInstallation records the installation a job runs for, so that
// requests made on its behalf by shared helpers (the tag resolver) use its
// token and its pacing.
func withInstallation(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, installationCtxKey{}, id)
}

// errNoInstallation is returned by the resolver transport outside a job.
var errNoInstallation = errors.New("no installation in the request's context")

// jobInstallationTransport sends each request with the token of the
// installation recorded in its context.
type jobInstallationTransport struct{ clients InstallationClients }

func (t *jobInstallationTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id, ok := req.Context().Value(installationCtxKey{}).(int64)
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

// NewAppWorker builds the Worker of `hardener serve` and of the Lambda
// worker: one process-wide tag resolver (its cache spans repositories and
// installations) whose requests carry the token of the installation whose
// job asked, and Scorecard scores in check runs and PR bodies.
func NewAppWorker(clients *Clients, opts WorkerOptions) (*Worker, error) {
	gh, err := resolve.NewClient(clients.APIBase(), "", &http.Client{Transport: &jobInstallationTransport{clients: clients}})
	if err != nil {
		return nil, err
	}
	return NewWorker(clients, resolve.New(gh), opts), nil
}
