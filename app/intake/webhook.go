package intake

import (
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxPayloadBytes is GitHub's cap on webhook payloads (25 MB).
const MaxPayloadBytes = 25 << 20

// dedupeSize bounds the set of delivery IDs remembered as processed.
const dedupeSize = 4096

// VerifySignature reports whether header (X-Hub-Signature-256, "sha256=<hex>")
// is the HMAC-SHA256 of body under secret. The comparison is constant-time.
// An empty secret never verifies.
func VerifySignature(secret, body []byte, header string) bool {
	if len(secret) == 0 {
		return false
	}
	// Hex digits are compared in lower case, so that either case verifies.
	return hmac.Equal([]byte(strings.ToLower(header)), []byte(Sign(secret, body)))
}

// Sign returns the X-Hub-Signature-256 value for body; used by tests and tools
// that replay deliveries.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// RetryAfterError is implemented by enqueue errors that know when the queue
// will accept work again.
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// Handler serves POST /api/github/webhooks: it verifies the signature, routes
// the delivery and enqueues its jobs. It never waits for a job to run.
// Memory spent on bodies not yet authenticated is bounded (see body.go).
type Handler struct {
	secret []byte
	queue  Enqueuer
	logger *slog.Logger
	seen   *deliverySet
	budget *bodyBudget
}

// NewHandler returns the webhook handler. A nil logger discards logs.
func NewHandler(secret []byte, q Enqueuer, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		secret: append([]byte(nil), secret...),
		queue:  q, logger: logger, seen: newDeliverySet(dedupeSize), budget: newBodyBudget(),
	}
}

// ServeHTTP handles one webhook delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	logger := h.logger.With("delivery", delivery, "event", event)
	sig := r.Header.Get("X-Hub-Signature-256")
	if len(h.secret) == 0 || !wellFormedSignature(sig) {
		logger.Warn("webhook signature missing or malformed")
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		logger.Warn("webhook body not read", "err", err, "bytes", r.ContentLength)
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(int(budgetWait/time.Second)))
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	// Nothing about the body is looked at before this point.
	if !VerifySignature(h.secret, body, sig) {
		logger.Warn("webhook signature invalid")
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	rep := h.process(r, logger, event, delivery, body)
	if rep.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((rep.retryAfter+time.Second-1)/time.Second)))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.msg+"\n")
}

type reply struct {
	status     int
	msg        string
	retryAfter time.Duration
}

// process handles a verified delivery and returns the answer.
func (h *Handler) process(r *http.Request, logger *slog.Logger, event, delivery string, body []byte) reply {
	if delivery != "" && h.seen.has(delivery) {
		logger.Info("webhook delivery already processed")
		return reply{status: http.StatusOK, msg: "already processed"}
	}
	d, err := Decide(event, body)
	if err != nil {
		logger.Warn("webhook payload rejected", "err", err)
		return reply{status: http.StatusBadRequest, msg: "malformed payload"}
	}
	if len(d.Jobs) == 0 {
		logger.Info("webhook ignored", "reason", d.Ignored)
		h.seen.add(delivery)
		return reply{status: http.StatusOK, msg: "ignored: " + d.Ignored}
	}
	for i := range d.Jobs {
		d.Jobs[i].Delivery = delivery
	}
	ctx := ContextWithLogger(r.Context(), logger)
	if err := h.queue.Enqueue(ctx, d.Jobs...); err != nil {
		retry := 30 * time.Second
		var ra RetryAfterError
		if errors.As(err, &ra) && ra.RetryAfter() > 0 {
			retry = ra.RetryAfter()
		}
		logger.Error("enqueue failed", "err", err, "jobs", len(d.Jobs))
		return reply{status: http.StatusServiceUnavailable, msg: "queue unavailable", retryAfter: retry}
	}
	h.seen.add(delivery)
	logger.Info("webhook queued", "jobs", len(d.Jobs), "action", d.Jobs[0].Action)
	return reply{status: http.StatusAccepted, msg: "queued " + strconv.Itoa(len(d.Jobs)) + " job(s)"}
}

// deliverySet remembers the most recent processed delivery IDs, evicting the
// oldest beyond its size.
type deliverySet struct {
	mu    sync.Mutex
	size  int
	order *list.List
	ids   map[string]*list.Element
}

func newDeliverySet(size int) *deliverySet {
	return &deliverySet{size: size, order: list.New(), ids: make(map[string]*list.Element)}
}

func (s *deliverySet) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}

func (s *deliverySet) add(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return
	}
	s.ids[id] = s.order.PushBack(id)
	for s.order.Len() > s.size {
		oldest := s.order.Front()
		s.order.Remove(oldest)
		delete(s.ids, oldest.Value.(string))
	}
}
