package snapshot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/internal/githubfake"
)

// codeloadDown answers every download with status and the request's URL in
// the body, as a proxy's error page might.
type codeloadDown struct{ status int }

func (c codeloadDown) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.status == 0 {
		return nil, errors.New("dial tcp: refused for " + r.URL.String())
	}
	return &http.Response{StatusCode: c.status, Status: http.StatusText(c.status), Request: r,
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader("error for " + r.URL.String()))}, nil
}

// The download link carries a token in its query: no error, whatever
// fails, spells it.
func TestHostileDownloadErrorsKeepTheLinkSecret(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	r := f.AddRepo("octo-org", "big", map[string]string{"README.md": "x\n"})
	for name, status := range map[string]int{"network": 0, "403": http.StatusForbidden, "503": http.StatusServiceUnavailable} {
		fe := &Fetcher{Download: &http.Client{Transport: codeloadDown{status}}}
		_, err := fe.Fetch(context.Background(), f.Client(), "octo-org", "big", r.BranchSHA("main"))
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), "token=") {
			t.Errorf("%s: the link's token is in the error: %v", name, err)
		}
		if status >= 500 {
			if _, ok := ghclient.RetryDelay(err, 0); !ok {
				t.Errorf("%s: %v is not retried", name, err)
			}
		}
		if status != 0 && ghclient.Status(err) != status {
			t.Errorf("%s: Status(%v) = %d", name, err, ghclient.Status(err))
		}
	}
}
