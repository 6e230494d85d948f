package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// manualClock is a clock the test moves.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// label creates a label with a fresh client: go-github remembers a
// secondary limit per client and would refuse later calls itself.
func label(f *Fake, i int) error {
	_, _, err := f.Client().Issues.CreateLabel(context.Background(), "o", "r", &github.Label{Name: github.String(fmt.Sprintf("l%d", i))})
	return err
}

func isSecondary(err error) bool {
	var abuse *github.AbuseRateLimitError
	return errors.As(err, &abuse) && abuse.RetryAfter != nil && *abuse.RetryAfter > 0
}

func TestSecondaryLimitPerMinute(t *testing.T) {
	t.Parallel()
	clk := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := New(t, EnforceSecondaryLimits(), WithClock(clk.Now))
	f.AddRepo("o", "r", map[string]string{"a": "b"})
	for i := range SecondaryPerMinute {
		if err := label(f, i); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		clk.add(100 * time.Millisecond)
	}
	if err := label(f, 100); !isSecondary(err) {
		t.Fatalf("write 81 within a minute: %v, want a secondary rate limit", err)
	}
	clk.add(time.Second)
	// Reads are fine by the content limit, but not during the pause.
	if _, _, err := f.Client().Repositories.Get(context.Background(), "o", "r"); !isSecondary(err) {
		t.Fatalf("read during the pause: %v", err)
	}
	if err := label(f, 101); !isSecondary(err) {
		t.Fatalf("write during the pause: %v", err)
	}
	st := f.LimitStats()
	if st.Violations != 1 || st.MinuteViolations != 1 || st.WritesDuringPause != 1 || st.ReadsDuringPause != 1 {
		t.Fatalf("stats %+v", st)
	}
	clk.add(61 * time.Second)
	if err := label(f, 102); err != nil {
		t.Fatalf("write after the pause and the window: %v", err)
	}
	if st := f.LimitStats(); st.MaxWritesPerMinute != SecondaryPerMinute || st.Writes != 83 {
		t.Errorf("stats %+v", st)
	}
}

func TestSecondaryLimitPerHour(t *testing.T) {
	t.Parallel()
	clk := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := New(t, EnforceSecondaryLimits(), WithClock(clk.Now))
	f.AddRepo("o", "r", map[string]string{"a": "b"})
	for i := range SecondaryPerHour {
		if err := label(f, i); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		clk.add(7 * time.Second) // 8.6 per minute: never the minute's limit
	}
	if err := label(f, 1000); !isSecondary(err) {
		t.Fatalf("write 501 within the hour: %v", err)
	}
	if st := f.LimitStats(); st.HourViolations != 1 || st.MinuteViolations != 0 {
		t.Fatalf("stats %+v", st)
	}
	// Once the first writes leave the hour, there is room again.
	clk.add(3600*time.Second - 500*7*time.Second + 2*time.Minute)
	if err := label(f, 1001); err != nil {
		t.Fatalf("write after the window moved: %v", err)
	}
}

func TestSecondaryLimitsAreOffByDefault(t *testing.T) {
	t.Parallel()
	f := New(t)
	f.AddRepo("o", "r", map[string]string{"a": "b"})
	for i := range SecondaryPerMinute + 5 {
		if err := label(f, i); err != nil {
			t.Fatal(err)
		}
	}
	if st := f.LimitStats(); st != (LimitStats{}) {
		t.Errorf("stats %+v without enforcement", st)
	}
}

func TestInjectedFaults(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("o", "r", map[string]string{"a": "b"})
	gh := f.Client()
	f.InjectFaults(Faults{ServerErrors: 1, Seed: 7})
	for i := range 40 {
		err := label(f, i)
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode < 500 {
			t.Fatalf("write %d: %v, want a server error", i, err)
		}
	}
	f.InjectFaults(Faults{})
	list, _, err := gh.Issues.ListLabels(context.Background(), "o", "r", &github.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	// Some writes were carried out before the error, some not.
	if n := len(list); n == 0 || n == 40 {
		t.Errorf("%d of 40 failed writes applied, want some", n)
	}
	if st := f.LimitStats(); st.InjectedServerErrors != 40 {
		t.Errorf("stats %+v", st)
	}

	f.InjectFaults(Faults{SecondaryLimits: 1, Seed: 1})
	_, resp, err := gh.Repositories.Get(context.Background(), "o", "r")
	if !isSecondary(err) || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("err %v", err)
	}
	f.InjectFaults(Faults{})
	if err := label(f, 99); !isSecondary(err) {
		t.Errorf("a write right after an injected secondary limit: %v, want refused during the pause", err)
	}
	if st := f.LimitStats(); st.InjectedSecondary != 1 || st.WritesDuringPause != 1 || st.Violations != 0 {
		t.Errorf("stats %+v", st)
	}
	_ = repo
}
