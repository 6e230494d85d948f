package ghclient

import (
	"context"
	"errors"
	"log/slog"
	"regexp"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// Credentials that may appear in error text: Authorization values, GitHub
// token formats, JWTs, tokens embedded in clone URLs, the query string of
// any URL (archive links carry `?token=`) and PEM blocks (private keys).
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
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^\s?#"'<>]*)\?[^\s#"'<>]*[^\s#"'<>:,.;)\]]`), "$1?[REDACTED]"},
	{regexp.MustCompile(`(?i)\b(token|access_token|jwt|signature|sig|x-amz-[a-z-]+)=[^\s&"'<>]+`), "$1=[REDACTED]"},
	{regexp.MustCompile(`-----BEGIN[^-\n]*-----(?s:.*?)(-----END[^-\n]*-----|\z)`), "[REDACTED PEM]"},
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

// HTTPError reports an answer of status from a URL that must not be shown
// (a download link that carries its own credential): the error says msg
// and the status, for Status and RetryDelay, and nothing of the request.
func HTTPError(status int, msg string) error {
	return &RedactedError{msg: RedactString(msg), status: status}
}

// Scrub returns err with credentials removed from its text, still
// unwrapping to err so that errors.As finds the types the queues act on
// (retry delays, statuses). It is for errors on their way to a log: the
// text is what gets written.
func Scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := RedactString(msg); clean != msg {
		return &scrubbed{msg: clean, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// RedactLogs wraps h so that every message, string and error written
// through it has credentials removed: a last line of defence for log
// lines that quote an error carrying a URL or a token.
func RedactLogs(h slog.Handler) slog.Handler {
	if _, ok := h.(redactingHandler); ok {
		return h
	}
	return redactingHandler{h}
}

type redactingHandler struct{ next slog.Handler }

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return redactingHandler{h.next.WithAttrs(clean)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactString(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, x := range g {
			clean[i] = redactAttr(x)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, RedactString(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, RedactString(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
