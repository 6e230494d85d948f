package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/internal/simclock"
)

// fleetConfig is one run of the fleet simulation: an organisation of
// repos repositories installed at once, workers separate worker instances
// (each its own clients, token cache and caches, sharing only the budget
// store, as Lambda workers do), GitHub's secondary limits enforced, time
// simulated.
type fleetConfig struct {
	repos   int
	workers int
	faults  githubfake.Faults
}

// fleetResult is what the simulation measured.
type fleetResult struct {
	limits             githubfake.LimitStats
	postureDone        time.Duration // until every repository had its check run
	allDone            time.Duration // until the last job finished
	prs                int
	prWrites           int // content-creating requests of the pull-request phase
	prPhase            time.Duration
	writes, reads      int
	givenUp, failed    int
	duplicates         []string
	missing            []string // repositories without a check run or pull request
	rescanRequests     int      // of the unchanged night
	rescanWrites       int
	coldRescan, rescan rescanCost
	peakHeapMB         float64
	checkRunsByRepo    map[string]int
	firstPR, lastPR    time.Time
	start              time.Time
	prPriorityOrdered  bool
}

// countingHandler counts the log records of the jobs by message.
type countingHandler struct {
	slog.Handler
	givenUp, failed *atomic.Int32
	mu              *sync.Mutex
	errs            *[]string
}

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case "job given up after retries":
		h.givenUp.Add(1)
	case "job failed":
		h.failed.Add(1)
	default:
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			h.mu.Lock()
			*h.errs = append(*h.errs, a.Value.String())
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// instancePool hands each job a worker instance no other job is using, as
// a Lambda worker runs one batch at a time.
type instancePool chan *Worker

func (p instancePool) Run(ctx context.Context, job intake.Job) error {
	w := <-p
	defer func() { p <- w }()
	return w.Run(ctx, job)
}

// fleetRepoFiles varies the repositories: every one has unpinned actions
// and no security policy; some lack permissions blocks, some publish
// releases, some have an exploitable workflow.
func fleetRepoFiles(i int) map[string]string {
	files := workflowFiles()
	if i%2 == 0 {
		files[".github/workflows/lint.yml"] = strings.Replace(files[".github/workflows/lint.yml"], "permissions:\n  contents: read\n", "", 1)
	}
	if i%5 == 0 {
		files[".github/workflows/publish.yml"] = "name: publish\non:\n  release:\n    types: [published]\npermissions:\n  contents: read\njobs:\n  pub:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
	}
	if i%17 == 0 {
		files[".github/workflows/greet.yml"] = injectable
	}
	return files
}

func runFleet(t testing.TB, cfg fleetConfig) *fleetResult {
	t.Helper()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := simclock.New(start)
	fake := githubfake.New(t, githubfake.EnforceSecondaryLimits(), githubfake.WithClock(clk.Now))
	for _, a := range []struct{ name, tag, full string }{{"checkout", "v4", "v4.2.2"}, {"setup-go", "v5", "v5.4.0"}} {
		up := fake.AddRepo("actions", a.name, map[string]string{"action.yml": "name: " + a.name + "\nruns:\n  using: node20\n  main: index.js\n"})
		up.Tag(a.full, "main", false)
		up.Tag(a.tag, "main", false)
	}
	var jobs []intake.Job
	repos := map[string]*githubfake.Repo{}
	for i := range cfg.repos {
		name := fmt.Sprintf("repo-%05d", i)
		r := fake.AddRepo("octo-org", name, fleetRepoFiles(i))
		repos[name] = r
		jobs = append(jobs, intake.Job{Kind: intake.JobInstall, Action: "created", InstallationID: 1, Owner: "octo-org", Repo: name, RepoID: r.ID})
	}
	var givenUp, failed atomic.Int32
	var errMu sync.Mutex
	var errs []string
	logger := slog.New(countingHandler{givenUp: &givenUp, failed: &failed, mu: &errMu, errs: &errs})
	t.Cleanup(func() {
		errMu.Lock()
		defer errMu.Unlock()
		for i, e := range errs {
			if i < 8 {
				t.Logf("job error: %s", e)
			}
		}
	})
	store := ghclient.NewMemoryStore()
	pool := make(instancePool, cfg.workers)
	var instances []*ghclient.Clients
	var workers []*Worker
	for range cfg.workers {
		clients, err := ghclient.NewClients(1, githubfake.AppKey(t), fake.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		clients.SetClock(clk)
		clients.SetBudgetStore(store)
		rgh, err := resolve.NewClient(fake.URL(), "", &http.Client{Transport: ghclient.JobTransport(clients)})
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, clients)
		workers = append(workers, NewWorker(clients, resolve.New(rgh), WorkerOptions{Clock: clk}))
	}
	clk.Busy()
	q := NewQueue(cfg.workers, 1_000_000, pool, logger, WithQueueClock(clk))
	for _, w := range workers {
		w.SetFollowUp(q)
		pool <- w
	}
	return finishFleet(t, cfg, clk, fake, q, jobs, repos, instances, store, &givenUp, &failed, start)
}

func finishFleet(t testing.TB, cfg fleetConfig, clk *simclock.Clock, fake *githubfake.Fake, q *Queue, jobs []intake.Job,
	repos map[string]*githubfake.Repo, instances []*ghclient.Clients, store *ghclient.MemoryStore,
	givenUp, failed *atomic.Int32, start time.Time) *fleetResult {
	t.Helper()
	res := &fleetResult{start: start}
	var peak atomic.Uint64
	stopMem := make(chan struct{})
	memDone := make(chan struct{})
	go func() {
		defer close(memDone)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stopMem:
				return
			case <-tick.C:
			}
		}
	}()
	fake.InjectFaults(cfg.faults)
	if err := q.Enqueue(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
	done := clk.Done()
	clk.Idle()
	<-done
	res.allDone = clk.Now().Sub(start)
	fake.InjectFaults(githubfake.Faults{})
	close(stopMem)
	<-memDone
	res.peakHeapMB = float64(peak.Load()) / (1 << 20)
	res.limits = fake.LimitStats()
	res.givenUp, res.failed = int(givenUp.Load()), int(failed.Load())

	// What GitHub holds now.
	res.checkRunsByRepo = map[string]int{}
	for name, r := range repos {
		head := r.BranchSHA("main")
		runs := 0
		for _, c := range r.CheckRuns() {
			if c.HeadSHA == head && c.Name == CheckName {
				runs++
			}
		}
		res.checkRunsByRepo[name] = runs
		prs := r.PullRequests()
		switch {
		case runs == 0:
			res.missing = append(res.missing, name+": no check run")
		case runs > 1:
			res.duplicates = append(res.duplicates, fmt.Sprintf("%s: %d check runs", name, runs))
		}
		switch {
		case len(prs) == 0:
			res.missing = append(res.missing, name+": no pull request")
		case len(prs) > 1:
			res.duplicates = append(res.duplicates, fmt.Sprintf("%s: %d pull requests", name, len(prs)))
		default:
			if n := len(prs[0].Labels); n != 1 {
				res.duplicates = append(res.duplicates, fmt.Sprintf("%s: labels %v", name, prs[0].Labels))
			}
			if c := r.Commits(HardeningBranch); len(c) < 2 {
				res.missing = append(res.missing, name+": empty hardening branch")
			}
		}
		res.prs += len(prs)
		if r.BranchSHA(refreshBranch) != "" {
			res.duplicates = append(res.duplicates, name+": "+refreshBranch+" left behind")
		}
	}
	// Times and counts from the request log.
	postureDone := start
	byOp := map[string]int{}
	defer func() { t.Logf("writes by operation: %v", byOp) }()
	for _, rq := range fake.Requests() {
		if rq.Auth != "installation-token" {
			continue
		}
		if rq.Write {
			byOp[rq.OperationID]++
		}
		if rq.Write {
			res.writes++
		} else {
			res.reads++
		}
		switch {
		case rq.OperationID == "checks/create" && rq.Status == http.StatusCreated:
			if rq.At.After(postureDone) {
				postureDone = rq.At
			}
		case rq.Write && rq.OperationID != "checks/create" && rq.OperationID != "security-advisories/create-repository-advisory":
			// The draft advisory of exploitable findings is filed with the
			// first scan: it belongs to the posture, not to the pull-request
			// phase, which would otherwise start in the first minutes.
			res.prWrites++
			if res.firstPR.IsZero() || rq.At.Before(res.firstPR) {
				res.firstPR = rq.At
			}
			if rq.At.After(res.lastPR) {
				res.lastPR = rq.At
			}
		}
	}
	res.postureDone = postureDone.Sub(start)
	res.prPhase = res.lastPR.Sub(res.firstPR)
	sort.Strings(res.missing)
	sort.Strings(res.duplicates)

	// Nightly rescans, each the whole loop (deliveries included): the first
	// after the rollout has no marks yet and asks GitHub about every
	// repository; the next one finds the organisation unchanged.
	rs := &Rescanner{Clients: instances[0], Queue: q, Marks: NewMemoryMarks()}
	res.coldRescan = nightlyRescan(t, clk, fake, rs)
	res.rescan = nightlyRescan(t, clk, fake, rs)
	res.rescanRequests, res.rescanWrites = res.rescan.requests, res.rescan.writes
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q.Shutdown(shutdownCtx)
	return res
}

// rescanCost is what one run of the reconciliation loop cost GitHub.
type rescanCost struct {
	requests, writes, queries, queued int
}

// nightlyRescan runs the reconciliation loop once and waits for the jobs
// it queued.
func nightlyRescan(t testing.TB, clk *simclock.Clock, fake *githubfake.Fake, rs *Rescanner) rescanCost {
	t.Helper()
	fake.ResetCounts()
	fake.ResetLimitStats()
	var c rescanCost
	clk.Busy()
	ctx := intake.ContextWithLogger(context.Background(), slog.New(slog.DiscardHandler))
	n, err := rs.EnqueueRescans(ctx)
	if err != nil {
		t.Errorf("rescan: %v", err)
	}
	c.queued = n
	if _, err := rs.RecoverDeliveries(ctx, clk.Now().Add(-DefaultRecoverWindow)); err != nil {
		t.Errorf("recovering deliveries: %v", err)
	}
	done := clk.Done()
	clk.Idle()
	<-done
	for _, rq := range fake.Requests() {
		c.requests++
		if rq.Write && rq.Auth == "installation-token" {
			c.writes++
		}
		if rq.OperationID == "graphql" {
			c.queries++
		}
	}
	return c
}

// perHour is n per simulated hour of d.
func perHour(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Hours()
}

func (r *fleetResult) report(cfg fleetConfig) string {
	writesPerPR := float64(r.prWrites) / float64(max(r.prs, 1))
	return fmt.Sprintf("limits %+v\nrepos=%d workers=%d faults=%v/%v | violations=%d writes-in-pause=%d | posture %.1fh | all %.1fh | PRs %d at %.0f/h (ceiling 500/%.1f = %.0f/h, budget 480: %.0f/h) | writes/repo %.2f reads/repo %.2f | given up %d failed %d duplicates %d missing %d | first rescan %+v | unchanged rescan %+v | peak heap %.0f MB",
		r.limits, cfg.repos, cfg.workers, cfg.faults.ServerErrors, cfg.faults.SecondaryLimits,
		r.limits.Violations, r.limits.WritesDuringPause, r.postureDone.Hours(), r.allDone.Hours(),
		r.prs, perHour(r.prs, r.prPhase), writesPerPR, 500/writesPerPR, 480/writesPerPR,
		float64(r.writes)/float64(cfg.repos), float64(r.reads)/float64(cfg.repos),
		r.givenUp, r.failed, len(r.duplicates), len(r.missing), r.coldRescan, r.rescan, r.peakHeapMB)
}
