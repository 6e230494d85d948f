package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app"
	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/lambda/internal/budget"
	"github.com/hardener/hardener/lambda/internal/dynamofake"
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

// TestRescanRemembersAcrossColdStarts: the function keeps its marks in the
// budget table, so a second invocation — a new process, as a daily
// function's always is — asks GitHub nothing about repositories that did
// not change: no GraphQL query, nothing queued.
func TestRescanRemembersAcrossColdStarts(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	db := dynamofake.New(t, "installation")
	ctx := context.Background()
	for _, name := range []string{"alpha", "beta"} {
		r := gh.AddRepo("octo-org", name, map[string]string{"README.md": "hello\n"})
		if _, _, err := gh.Client().Checks.CreateCheckRun(ctx, "octo-org", name, github.CreateCheckRunOptions{
			Name: app.CheckName, HeadSHA: r.BranchSHA("main"), Status: github.String("completed"), Conclusion: github.String("success")}); err != nil {
			t.Fatal(err)
		}
	}
	invoke := func() ([]intake.Job, int) {
		clients, err := ghclient.NewClients(1, githubfake.AppKey(t), gh.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		q := &recordingQueue{}
		h := &Rescan{Loop: &app.Rescanner{Clients: clients, Queue: q, Marks: &budget.Marks{Client: db.Client(), Table: "budget"}}}
		gh.ResetCounts()
		if err := h.Handle(ctx, events.CloudWatchEvent{Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		return q.jobs, gh.Count("graphql")
	}
	if jobs, queries := invoke(); len(jobs) != 0 || queries != 1 {
		t.Errorf("first run: %d jobs, %d queries; want none queued after one query", len(jobs), queries)
	}
	if jobs, queries := invoke(); len(jobs) != 0 || queries != 0 {
		t.Errorf("second run: %d jobs, %d queries; want neither", len(jobs), queries)
	}
	if db.Calls("PutItem") != 1 {
		t.Errorf("%d saves of the marks, want one (the second run changed nothing)", db.Calls("PutItem"))
	}
}
