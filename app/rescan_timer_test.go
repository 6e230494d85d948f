package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/simclock"
)

// timedQueue records when jobs were queued, by the simulated clock.
type timedQueue struct {
	mu    sync.Mutex
	clock *simclock.Clock
	at    []time.Time
	jobs  []intake.Job
}

func (q *timedQueue) Enqueue(_ context.Context, jobs ...intake.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.at = append(q.at, q.clock.Now())
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// TestServeRescansOnATimer: `hardener serve` runs the reconciliation loop
// a minute after start (what a previous process left queued is queued
// again: every repository) and then every interval.
func TestServeRescansOnATimer(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	f := githubfake.New(t, githubfake.WithClock(clk.Now))
	f.AddRepo("octo-org", "alpha", map[string]string{"README.md": "a\n"})
	f.AddRepo("octo-org", "beta", map[string]string{"README.md": "b\n"})
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetClock(clk)
	q := &timedQueue{clock: clk}
	ctx, cancel := context.WithCancel(context.Background())
	clk.Busy()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer clk.Idle()
		RescanEvery(ctx, &Rescanner{Clients: clients, Queue: q}, clk, time.Minute, 24*time.Hour)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q.mu.Lock()
		n := len(q.at)
		q.mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rescans", n)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	q.mu.Lock()
	defer q.mu.Unlock()
	want := []time.Duration{time.Minute, time.Minute + 24*time.Hour, time.Minute + 48*time.Hour}
	for i, w := range want {
		if got := q.at[i].Sub(start); got != w {
			t.Errorf("rescan %d at %v, want %v", i, got, w)
		}
	}
	if len(q.jobs) < 6 || q.jobs[0].Kind != intake.JobRescan {
		t.Errorf("jobs %+v", q.jobs)
	}
}

// TestNightlyRescanSkipsScannedHeads: a repository whose default branch
// head has a completed `hardener` check run is not rescanned; one whose
// head moved without a check run (a lost delivery) is. Two requests per
// hundred repositories, and nothing written.
func TestNightlyRescanSkipsScannedHeads(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	done := f.AddRepo("octo-org", "done", map[string]string{"README.md": "a\n"})
	moved := f.AddRepo("octo-org", "moved", map[string]string{"README.md": "b\n"})
	f.AddRepo("octo-org", "old", map[string]string{"README.md": "c\n"}, githubfake.Archived())
	gh := f.Client()
	ctx := context.Background()
	for _, r := range []*githubfake.Repo{done, moved} {
		if _, _, err := gh.Checks.CreateCheckRun(ctx, "octo-org", r.Name, github.CreateCheckRunOptions{
			Name: CheckName, HeadSHA: r.BranchSHA("main"), Status: github.String("completed"), Conclusion: github.String("neutral")}); err != nil {
			t.Fatal(err)
		}
	}
	moved.Commit("main", "a push whose delivery was lost", map[string]string{"README.md": "b2\n"})
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := &timedQueue{clock: simclock.New(time.Now())}
	f.ResetCounts()
	n, err := (&Rescanner{Clients: clients, Queue: q}).EnqueueRescans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(q.jobs) != 1 || q.jobs[0].Repo != "moved" {
		t.Fatalf("queued %d: %+v, want only the moved repository", n, q.jobs)
	}
	var ops []string
	for _, r := range f.Requests() {
		if r.Write && r.OperationID != "apps/create-installation-access-token" {
			t.Errorf("rescan wrote: %s %s", r.Method, r.Path)
		}
		ops = append(ops, r.OperationID)
	}
	// Installations, the token, one page of repositories, one GraphQL query.
	if len(ops) > 4 {
		t.Errorf("%d requests: %v", len(ops), ops)
	}
	// All rescans everything, done or not.
	q.jobs = nil
	if n, err := (&Rescanner{Clients: clients, Queue: q, All: true}).EnqueueRescans(ctx); err != nil || n != 2 {
		t.Errorf("full rescan queued %d, %v; want both live repositories", n, err)
	}
}
