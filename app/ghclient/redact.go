package ghclient

import (
	"context"
	"errors"
	"regexp"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// Credentials that may appear in error text: Authorization values, GitHub
// token formats, JWTs and tokens embedded in clone URLs.
var secretPatterns = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)\b(bearer)\s+[^\s"',;]+`), "$1 [REDACTED]"},
	{regexp.MustCompile(`(?i)\b(token)\s+[A-Za-z0-9_\-.=/+]{20,}`), "$1 [REDACTED]"},
	{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9_]{8,}`), "[REDACTED]"},
	{regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{8,}`), "[REDACTED]"},
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*`), "[REDACTED]"},
	{regexp.MustCompile(`(?i)(x-access-token):[^@\s]+@`), "$1:[REDACTED]@"},
}

// RedactString removes credentials from s.
func RedactString(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// RedactedError is an error from the authentication transports with every
// credential removed from its text. It deliberately does not unwrap to the
// original error, whose fields (responses, requests) may hold the JWT or the
// installation token; it unwraps only to context errors and to
// *RateLimitedError.
type RedactedError struct {
	msg    string
	status int
	cause  error
}

func (e *RedactedError) Error() string { return e.msg }

// HTTPStatus is the status of GitHub's answer, 0 if there was none.
func (e *RedactedError) HTTPStatus() int { return e.status }

func (e *RedactedError) Unwrap() error { return e.cause }

// Redact returns err as a *RedactedError (nil stays nil).
func Redact(err error) error {
	if err == nil {
		return nil
	}
	var already *RedactedError
	if errors.As(err, &already) && already == err {
		return err
	}
	r := &RedactedError{msg: RedactString(err.Error())}
	var he *ghinstallation.HTTPError
	if errors.As(err, &he) && he.Response != nil {
		r.status = he.Response.StatusCode
	}
	var rl *RateLimitedError
	switch {
	case errors.Is(err, context.Canceled):
		r.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		r.cause = context.DeadlineExceeded
	case errors.As(err, &rl):
		// A pause carries no credential, and callers must see it to
		// park the job instead of failing it.
		r.cause = rl
	}
	return r
}
