package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"
)

// Bounds on reading unauthenticated bodies. A webhook body can only be
// authenticated once it has been read whole (the signature is an HMAC of
// all of it), so anyone who can reach the URL can make the handler hold
// bodies in memory. These bounds cap that memory whatever the load:
//
//   - a request whose X-Hub-Signature-256 is not even well formed is
//     refused with 401 before its body is touched;
//   - a declared Content-Length over MaxPayloadBytes is refused with 413;
//   - bodies being read at once share a byte budget: deliveries of up to
//     smallBody bytes (nearly all of GitHub's) draw on smallBudget, larger
//     ones and those of unknown length (counted as MaxPayloadBytes) on
//     largeBudget, so a flood of 25 MB requests cannot starve the small
//     deliveries that are most of the real traffic;
//   - a request waits at most budgetWait for its share, then gets 503 without
//     its body being read, and a body must arrive within bodyReadTimeout.
//
// GitHub does not retry a delivery answered 503. The choice here is that
// the process serving every installation must not run out of memory, so a
// genuine delivery that arrives during a flood may be refused; it shows as
// failed in the App's delivery log, from where the scheduled recovery (or
// an operator) redelivers it. Only requests whose body was never read are
// refused this way: once a body is read and verified, the delivery is
// processed as usual.
const (
	smallBody       = 1 << 20
	smallBudget     = 16 << 20
	largeBudget     = MaxPayloadBytes
	budgetWait      = 2 * time.Second
	bodyReadTimeout = 10 * time.Second
)

// MaxBodyBytesInFlight is the most body bytes the handler holds at once
// while reading unauthenticated requests (41 MiB). Bodies read and refused
// are garbage until the next collection, so with the default GOGC the heap
// they account for peaks near twice this.
const MaxBodyBytesInFlight = smallBudget + largeBudget

// errBusy is returned when the body budget stayed in use for budgetWait.
var errBusy = errors.New("too many webhook bodies being read")

// bodyBudget hands out shares of the in-flight body bytes.
type bodyBudget struct {
	small, large *semaphore.Weighted
	wait         time.Duration // budgetWait; shorter in tests
}

func newBodyBudget() *bodyBudget {
	return &bodyBudget{small: semaphore.NewWeighted(smallBudget), large: semaphore.NewWeighted(largeBudget), wait: budgetWait}
}

// acquire reserves room for a body of length n (-1: unknown) and returns
// the function that gives it back.
func (b *bodyBudget) acquire(ctx context.Context, n int64) (release func(), err error) {
	sem, weight := b.small, n
	if n < 0 || n > smallBody {
		sem = b.large
		if n < 0 {
			weight = MaxPayloadBytes
		}
	}
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := sem.Acquire(ctx, weight); err != nil {
		return nil, errBusy
	}
	return func() { sem.Release(weight) }, nil
}

// wellFormedSignature reports whether header has the shape of an
// X-Hub-Signature-256 value: "sha256=" and 64 hex digits.
func wellFormedSignature(header string) bool {
	h, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(h) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// readBody reads the request body within the budget. It returns the HTTP
// status to answer when the body cannot be had.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	n := r.ContentLength
	if n > MaxPayloadBytes {
		return nil, http.StatusRequestEntityTooLarge, errors.New("payload too large")
	}
	release, err := h.budget.acquire(r.Context(), n)
	if err != nil {
		return nil, http.StatusServiceUnavailable, err
	}
	defer release()
	// Not supported by every ResponseWriter (tests' recorders); the
	// server's own ReadTimeout still applies then.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyReadTimeout))
	body := http.MaxBytesReader(w, r.Body, MaxPayloadBytes)
	if n >= 0 {
		// Exactly the declared size, in one allocation; net/http stops the
		// body at Content-Length.
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, http.StatusBadRequest, err
		}
		return buf, 0, nil
	}
	buf, err := io.ReadAll(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, http.StatusRequestEntityTooLarge, err
		}
		return nil, http.StatusBadRequest, err
	}
	return buf, 0, nil
}
