package ghclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/internal/simclock"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// sendTimes is a server that records the simulated time of every request.
type sendTimes struct {
	mu    sync.Mutex
	clock *simclock.Clock
	at    []time.Time
}

func (s *sendTimes) handler(status func(n int) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.at = append(s.at, s.clock.Now())
		n := len(s.at)
		s.mu.Unlock()
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(status(n))
	}
}

// maxIn is the most requests in any window of length w.
func maxIn(at []time.Time, w time.Duration) int {
	best := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < w; j++ {
			n++
		}
		best = max(best, n)
	}
	return best
}

// TestBudgetSharedByWorkers: five workers, each with its own Pacer over
// one store, write as fast as they can for three simulated hours; parked
// writes come back when the budget says. No window ever holds more than
// the budget allows.
func TestBudgetSharedByWorkers(t *testing.T) {
	t.Parallel()
	clk := simclock.New(epoch)
	srv := &sendTimes{clock: clk}
	hs := httptest.NewServer(srv.handler(func(int) int { return 200 }))
	defer hs.Close()
	store := NewMemoryStore()
	lim := LimitsFor(60)
	var wg sync.WaitGroup
	parks := 0
	var mu sync.Mutex
	for w := range 5 {
		clk.Busy()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer clk.Idle()
			c := &http.Client{Transport: NewPacer(7, store, lim, clk).Transport(hs.Client().Transport)}
			for clk.Now().Before(epoch.Add(3 * time.Hour)) {
				resp, err := c.Post(hs.URL, "application/json", strings.NewReader("{}"))
				var rl *RateLimitedError
				switch {
				case errors.As(err, &rl):
					mu.Lock()
					parks++
					mu.Unlock()
					clk.Sleep(context.Background(), rl.RetryAfter())
				case err != nil:
					t.Errorf("worker %d: %v", w, err)
					return
				default:
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	at := srv.at
	for i := 1; i < len(at); i++ {
		if at[i].Sub(at[i-1]) < time.Second {
			t.Fatalf("writes %d and %d %v apart", i-1, i, at[i].Sub(at[i-1]))
		}
	}
	if m := maxIn(at, time.Minute); m > 60 {
		t.Errorf("%d writes within a minute", m)
	}
	if h := maxIn(at, time.Hour); h > DefaultWritesPerHour {
		t.Errorf("%d writes within an hour", h)
	}
	// The budget is used, not wasted: three hours hold close to three
	// hours' worth.
	if len(at) < 3*DefaultWritesPerHour-60 {
		t.Errorf("only %d writes in three hours", len(at))
	}
	if parks == 0 {
		t.Error("no write was parked")
	}
	t.Logf("%d writes, %d parks, most in a minute %d, in an hour %d", len(at), parks, maxIn(at, time.Minute), maxIn(at, time.Hour))
}

// pauseOnReserve is a store where another worker records a pause while
// this one waits for its slot.
type pauseOnReserve struct {
	*MemoryStore
	clock Clock
}

func (s pauseOnReserve) Reserve(ctx context.Context, inst int64, now time.Time, lim Limits, h time.Duration) (time.Time, bool, error) {
	at, ok, err := s.MemoryStore.Reserve(ctx, inst, now, lim, h)
	s.MemoryStore.Pause(ctx, inst, now.Add(500*time.Millisecond), "secondary rate limit")
	return at, ok, err
}

func TestBookedWriteDoesNotGoOutAfterAPause(t *testing.T) {
	t.Parallel()
	clk := simclock.New(epoch)
	srv := &sendTimes{clock: clk}
	hs := httptest.NewServer(srv.handler(func(int) int { return 200 }))
	defer hs.Close()
	store := NewMemoryStore()
	// A write a moment ago: the next slot is a second after it.
	store.Reserve(context.Background(), 7, epoch.Add(-200*time.Millisecond), LimitsFor(60), time.Minute)
	clk.Busy()
	defer clk.Idle()
	c := &http.Client{Transport: NewPacer(7, pauseOnReserve{store, clk}, LimitsFor(60), clk).Transport(hs.Client().Transport)}
	_, err := c.Post(hs.URL, "application/json", strings.NewReader("{}"))
	var rl *RateLimitedError
	// The pause is short: the transport waits it out and takes a new slot.
	if err != nil || len(srv.at) != 1 {
		t.Fatalf("err %v, %d sent", err, len(srv.at))
	}
	if !srv.at[0].After(epoch.Add(500 * time.Millisecond)) {
		t.Errorf("sent at %v, during the pause", srv.at[0].Sub(epoch))
	}
	store.Pause(context.Background(), 7, clk.Now().Add(time.Hour), "retry-after")
	if _, err := c.Post(hs.URL, "application/json", strings.NewReader("{}")); !errors.As(err, &rl) || len(srv.at) != 1 {
		t.Fatalf("err %v, %d sent: want parked during a long pause", err, len(srv.at))
	}
}

func TestPauseIsSharedThroughTheStore(t *testing.T) {
	t.Parallel()
	clk := simclock.New(epoch)
	srv := &sendTimes{clock: clk}
	hs := httptest.NewServer(srv.handler(func(n int) int {
		if n == 1 {
			return http.StatusTooManyRequests
		}
		return 200
	}))
	defer hs.Close()
	store := NewMemoryStore()
	clk.Busy()
	defer clk.Idle()
	a := &http.Client{Transport: NewPacer(7, store, LimitsFor(60), clk).Transport(hs.Client().Transport)}
	b := &http.Client{Transport: NewPacer(7, store, LimitsFor(60), clk).Transport(hs.Client().Transport)}
	var rl *RateLimitedError
	if _, err := a.Get(hs.URL); !errors.As(err, &rl) || rl.RetryAfter() != time.Minute {
		t.Fatalf("a: %v", err)
	}
	if _, err := b.Post(hs.URL, "application/json", strings.NewReader("{}")); !errors.As(err, &rl) {
		t.Fatalf("b's write: %v, want parked by a's pause", err)
	}
	if len(srv.at) != 1 {
		t.Fatalf("%d requests reached GitHub", len(srv.at))
	}
}

func TestServerErrorsRetriedInPlaceOnlyWhenSafe(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		method    string
		retrySafe bool
		want      int // requests sent
	}{
		"GET":             {"GET", false, 3},
		"PUT":             {"PUT", false, 3},
		"POST":            {"POST", false, 1},
		"POST retry-safe": {"POST", true, 3},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := simclock.New(epoch)
			srv := &sendTimes{clock: clk}
			hs := httptest.NewServer(srv.handler(func(n int) int {
				if n < 3 {
					return http.StatusBadGateway
				}
				return 200
			}))
			defer hs.Close()
			clk.Busy()
			defer clk.Idle()
			c := &http.Client{Transport: NewPacer(7, nil, LimitsFor(60), clk).Transport(hs.Client().Transport)}
			ctx := context.Background()
			if tc.retrySafe {
				ctx = RetrySafe(ctx)
			}
			req, _ := http.NewRequestWithContext(ctx, tc.method, hs.URL, strings.NewReader(`{"a":1}`))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(srv.at) != tc.want {
				t.Fatalf("%d requests, want %d", len(srv.at), tc.want)
			}
			if tc.want == 3 {
				// Back-off with jitter: 0.5–1 s, then 1–2 s.
				if d := srv.at[1].Sub(srv.at[0]); d < 500*time.Millisecond || d > time.Second+time.Millisecond {
					t.Errorf("first back-off %v", d)
				}
				if d := srv.at[2].Sub(srv.at[1]); d < time.Second || d > 2*time.Second+time.Millisecond {
					t.Errorf("second back-off %v", d)
				}
			}
		})
	}
}

func TestGraphQLQueryIsARead(t *testing.T) {
	t.Parallel()
	mk := func(q string) *http.Request {
		body := `{"query":` + q + `}`
		req, _ := http.NewRequest("POST", "https://api.github.com/graphql", strings.NewReader(body))
		return req
	}
	if !isGraphQLQuery(mk(`"query { viewer { login } }"`)) || isWrite(mk(`"{ viewer { login } }"`)) {
		t.Error("a query counted as a write")
	}
	if isGraphQLQuery(mk(`"mutation { createRef(input: {}) { ref { name } } }"`)) || !isWrite(mk(`"mutation { x }"`)) {
		t.Error("a mutation counted as a read")
	}
}
