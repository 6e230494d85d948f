package ghclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/intake"
)

const (
	// maxServerRetries bounds the in-place retries of one idempotent
	// request after server errors and network failures.
	maxServerRetries = 5
	// Server errors are retried with exponential back-off from
	// serverErrorWait, with jitter so that workers do not retry in step.
	serverErrorWait    = time.Second
	maxServerErrorWait = 5 * time.Minute
)

type retrySafeKey struct{}

// RetrySafe marks the requests made with ctx as safe to send again after a
// server error although their method is POST or PATCH: the request sets a
// state rather than adding to it (editing a pull request's title and body,
// adding a label, moving a ref with force).
func RetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

// idempotent reports whether a request may be sent again after a server
// error without risk of doing its work twice. A POST that creates (a check
// run, a comment, a commit) is not: its caller looks before re-creating.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	if v, _ := req.Context().Value(retrySafeKey{}).(bool); v {
		return true
	}
	return isGraphQLQuery(req)
}

// isGraphQLQuery reports whether req is a GraphQL document without a
// mutation: a read for GitHub's limits, and safe to repeat.
func isGraphQLQuery(req *http.Request) bool {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/graphql") || req.GetBody == nil {
		return false
	}
	body, err := req.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	var doc struct {
		Query string `json:"query"`
	}
	raw, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil || json.Unmarshal(raw, &doc) != nil {
		return false
	}
	q := strings.TrimSpace(doc.Query)
	return strings.HasPrefix(q, "{") || strings.HasPrefix(q, "query") && !bytes.Contains(raw, []byte("mutation"))
}

// backoff is the wait before the n-th retry (0 for the first) after a
// server error: exponential from serverErrorWait, capped, half of it
// random.
func backoff(n int) time.Duration {
	d := min(serverErrorWait<<min(max(n, 0), 16), maxServerErrorWait)
	return d/2 + rand.N(d/2+1)
}

// IsPark reports whether err asks to wait rather than saying something
// failed: GitHub asked for a pause (*RateLimitedError from the pacing
// transport, or go-github's *RateLimitError and *AbuseRateLimitError
// without it), GitHub is still computing an answer (*AcceptedError), or the
// write budget is spent until later. A parked job is queued again without
// using up an attempt.
func IsPark(err error) bool {
	var rl *RateLimitedError
	var prim *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var accepted *github.AcceptedError
	return errors.As(err, &rl) || errors.As(err, &prim) || errors.As(err, &abuse) || errors.As(err, &accepted)
}

// RetryDelay reports whether err means "try again later" and after how
// long, for the attempt-th retry (0 for the first): *intake.RetryError,
// *RateLimitedError, go-github's *RateLimitError (until Rate.Reset),
// *AbuseRateLimitError (RetryAfter, default 60 s), *AcceptedError (30 s)
// and server errors (5xx) and network failures of the token endpoint,
// which back off exponentially with jitter from a second, capped at 5
// minutes.
func RetryDelay(err error, attempt int) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var re *intake.RetryError
	if errors.As(err, &re) {
		return max(re.After, 0), true
	}
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter(), true
	}
	var prim *github.RateLimitError
	if errors.As(err, &prim) {
		return max(time.Until(prim.Rate.Reset.Time)+time.Second, time.Second), true
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		if abuse.RetryAfter != nil && *abuse.RetryAfter > 0 {
			return *abuse.RetryAfter, true
		}
		return secondaryWait, true
	}
	var accepted *github.AcceptedError
	if errors.As(err, &accepted) {
		return 30 * time.Second, true
	}
	if Status(err) >= 500 {
		return backoff(attempt), true
	}
	return 0, false
}
