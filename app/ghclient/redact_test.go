package ghclient

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/intake"
)

func TestHostileRedactURLsAndKeys(t *testing.T) {
	t.Parallel()
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
	for in, want := range map[string]string{
		"GET https://codeload.github.com/o/r/legacy.tar.gz/abc?token=AABBCC: 403": "GET https://codeload.github.com/o/r/legacy.tar.gz/abc?[REDACTED]: 403",
		`Get "http://127.0.0.1:1/x?a=1&token=s3cret": EOF`:                        `Get "http://127.0.0.1:1/x?[REDACTED]": EOF`,
		"retry with token=abc123 later":                                           "retry with token=[REDACTED] later",
		"key: " + key + " end":                                                    "key: [REDACTED PEM] end",
		"truncated -----BEGIN PRIVATE KEY-----\nMIIE":                             "truncated [REDACTED PEM]",
		"https://github.com/o/r/pull/1":                                           "https://github.com/o/r/pull/1",
	} {
		if got := RedactString(in); got != want {
			t.Errorf("RedactString(%q) = %q, want %q", in, got, want)
		}
	}
}

// Scrub keeps the chain (the queue still finds a RetryError) and drops the
// secret from the text.
func TestScrubKeepsTheChain(t *testing.T) {
	t.Parallel()
	err := &intake.RetryError{Err: fmt.Errorf("GET https://x/y?token=zzz: 503")}
	got := Scrub(fmt.Errorf("job: %w", err))
	var re *intake.RetryError
	if !errors.As(got, &re) || strings.Contains(got.Error(), "zzz") {
		t.Fatalf("Scrub = %v (chain kept: %v)", got, errors.As(got, &re))
	}
	plain := errors.New("nothing secret")
	if Scrub(plain) != plain {
		t.Error("an error without secrets was wrapped")
	}
}

func TestHostileRedactLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(RedactLogs(slog.NewTextHandler(&buf, nil))).With("link", "https://h/x?token=with")
	log.Info("fetch https://h/x?token=msg", "err", errors.New("GET https://h/x?token=err: 403"),
		"tok", "ghs_16C7e42F292c6912E7710c838347Ae178B4a", slog.Group("g", "u", "https://h/?token=grp"))
	out := buf.String()
	for _, s := range []string{"token=with", "token=msg", "token=err", "token=grp", "ghs_"} {
		if strings.Contains(out, s) {
			t.Errorf("log line keeps %q: %s", s, out)
		}
	}
}
