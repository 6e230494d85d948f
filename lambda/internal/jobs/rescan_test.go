package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// recordingQueue is an intake.Enqueuer that keeps what it was given.
type recordingQueue struct {
	mu   sync.Mutex
	jobs []intake.Job
}

func (q *recordingQueue) Enqueue(_ context.Context, jobs ...intake.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// TestRescanHandleRunsTheLoop: the scheduled function only adapts the
// event; the loop (tested in app) queues one rescan per repository.
func TestRescanHandleRunsTheLoop(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	gh.AddRepo("octo-org", "alpha", map[string]string{"README.md": "hello\n"})
	gh.AddRepo("octo-org", "beta", map[string]string{"README.md": "hello\n"})
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), gh.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := &recordingQueue{}
	h := &Rescan{Loop: &app.Rescanner{Clients: clients, Queue: q}}
	for _, ev := range []events.CloudWatchEvent{{Time: time.Now()}, {}} {
		q.jobs = nil
		if err := h.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if len(q.jobs) != 2 || q.jobs[0].Kind != intake.JobRescan {
			t.Errorf("event %v: jobs %+v, want two rescans", ev.Time, q.jobs)
		}
	}
}
