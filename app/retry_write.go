package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/hardener/hardener/app/ghclient"
)

// isTransport reports whether err is a failure to reach GitHub (no answer),
// not a refusal, a pause or the job's own deadline.
func isTransport(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && !ghclient.IsPark(err) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// serverFailed reports whether a creating request may or may not have been
// carried out: GitHub answered 5xx, or no answer came.
func serverFailed(err error) bool { return ghclient.Status(err) >= 500 || isTransport(err) }

// retryPause is the wait before the n-th new try (0 for the first) of a
// creating request whose outcome was looked up and found missing.
func retryPause(n int) time.Duration { return time.Second << min(n, 6) }

// gitBlobSHA is git's object ID of a blob with data.
func gitBlobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
