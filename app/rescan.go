package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
)

// AppClients gives clients authenticated as the App and as one of its
// installations; *ghclient.Clients is one.
type AppClients interface {
	App(ctx context.Context) *github.Client
	Installation(ctx context.Context, installationID int64) (*github.Client, error)
}

// DefaultRecoverWindow is how far back failed deliveries are looked for: the
// daily schedule plus an hour of overlap (GitHub keeps deliveries 3 days).
const DefaultRecoverWindow = 25 * time.Hour

// Rescanner is the reconciliation loop that every entry point shares: it
// queues a rescan of every repository of every installation whose
// default-branch head has no completed `hardener` check run (the marks
// spare it from asking about the unchanged ones), and recovers
// webhook deliveries that failed — GitHub does not retry them, and a
// delivery larger than a Lambda request (6 MB) can only be fetched through
// the API. The scheduled Lambda function runs it; so can a timer in
// `hardener serve`. Its jobs go to Queue like a webhook's.
type Rescanner struct {
	Clients AppClients
	Queue   intake.Enqueuer
	Window  time.Duration // how far back failed deliveries are looked for; 0: DefaultRecoverWindow
	PerPage int           // page size of GitHub lists; 0: 100
	// Observer, when set, sees each installation's repositories once per
	// run (the organisation dashboard: NewDashboard).
	Observer RescanObserver
	// AppID, when set, makes only this App's check runs count as done.
	AppID int64
	// All rescans every repository, done or not (a periodic full pass:
	// new rules, settings changed by hand). It neither reads nor changes
	// the marks.
	All bool
	// Marks, when set, remembers which repositories were confirmed up to
	// date, so that an unchanged repository costs only its share of the
	// repository listing (see RescanMarks). Without it every repository
	// is asked about, a hundred per GraphQL query.
	Marks RescanMarks
}

func (r *Rescanner) perPage() int {
	if r.PerPage > 0 {
		return r.PerPage
	}
	return 100
}

// Run queues the rescans and recovers the deliveries that failed since
// now minus the window, logging to the context's logger. It goes on past
// errors of single installations or deliveries and returns them all.
func (r *Rescanner) Run(ctx context.Context, now time.Time) error {
	window := r.Window
	if window == 0 {
		window = DefaultRecoverWindow
	}
	repos, rescanErr := r.EnqueueRescans(ctx)
	recovered, recoverErr := r.RecoverDeliveries(ctx, now.Add(-window))
	intake.LoggerFrom(ctx).Info("rescan queued", "repositories", repos, "recovered_deliveries", recovered)
	return errors.Join(rescanErr, recoverErr)
}

// EnqueueRescans queues a JobRescan for every repository of every active
// installation whose default-branch head has no completed check run (every
// one with All; archived ones are skipped) and returns how many it queued.
// It costs one request per hundred repositories for the listing, and one
// GraphQL query per hundred repositories that the marks do not vouch for:
// all of them on a cold start, the changed ones afterwards.
func (r *Rescanner) EnqueueRescans(ctx context.Context) (int, error) {
	logger := intake.LoggerFrom(ctx)
	appClient := r.Clients.App(ctx)
	var errs []error
	total := 0
	opts := &github.ListOptions{PerPage: r.perPage()}
	for {
		insts, resp, err := appClient.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return total, errors.Join(append(errs, fmt.Errorf("listing installations: %w", ghclient.Redact(err)))...)
		}
		for _, inst := range insts {
			if inst.SuspendedAt != nil {
				logger.Info("installation suspended: not rescanned", "installation", inst.GetID())
				continue
			}
			n, err := r.enqueueInstallation(ctx, inst.GetID())
			total += n
			if err != nil {
				logger.Error("rescan of installation failed", "installation", inst.GetID(), "err", err)
				errs = append(errs, fmt.Errorf("installation %d: %w", inst.GetID(), err))
			}
		}
		if resp.NextPage == 0 {
			return total, errors.Join(errs...)
		}
		opts.Page = resp.NextPage
	}
}

func (r *Rescanner) enqueueInstallation(ctx context.Context, id int64) (int, error) {
	gh, err := r.Clients.Installation(ctx, id)
	if err != nil {
		return 0, err
	}
	logger := intake.LoggerFrom(ctx)
	p := &rescanPass{id: id, next: map[int64]uint64{}}
	if r.Marks != nil && !r.All {
		if p.old, err = r.Marks.LoadMarks(ctx, id); err != nil {
			// Without marks every repository is asked about: a cold start.
			logger.Warn("rescan marks not read; asking GitHub about every repository", "installation", id, "err", err)
			p.old = nil
		}
	}
	var seen []*github.Repository
	opts := &github.ListOptions{PerPage: r.perPage()}
	for {
		list, resp, err := gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			// What was set aside is still looked at; the marks are kept as
			// they were, since the listing is incomplete.
			return p.queued, errors.Join(fmt.Errorf("listing repositories: %w", ghclient.Redact(err)), r.settle(ctx, gh, p, p.pending))
		}
		seen = append(seen, list.Repositories...)
		var live []*github.Repository
		for _, repo := range list.Repositories {
			if !repo.GetArchived() {
				live = append(live, repo)
			}
		}
		p.sort(live, r.All)
		for len(p.pending) >= doneHeadsBatch {
			if err := r.settle(ctx, gh, p, p.pending[:doneHeadsBatch]); err != nil {
				return p.queued, err
			}
			p.pending = p.pending[doneHeadsBatch:]
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if err := r.settle(ctx, gh, p, p.pending); err != nil {
		return p.queued, err
	}
	if r.Marks != nil && !r.All && !maps.Equal(p.old, p.next) {
		if err := r.Marks.SaveMarks(ctx, id, p.next); err != nil {
			logger.Warn("rescan marks not saved; the next rescan asks about more repositories", "installation", id, "err", err)
		}
	}
	logger.Info("installation rescanned", "installation", id, "repositories", len(seen),
		"looked_at", p.unmarked, "queued", p.queued)
	r.observe(ctx, gh, id, seen)
	return p.queued, nil
}

// doneHeadsBatch is how many repositories one GraphQL query asks about
// (the most `nodes(ids:)` takes).
const doneHeadsBatch = 100

// settle looks at repositories the marks did not vouch for: those whose
// default-branch head has a completed `hardener` check run are marked
// with the fingerprint they were listed with (listed before the query, so
// a push after the listing moves `pushed_at` past the mark), the others
// are queued for a rescan.
func (r *Rescanner) settle(ctx context.Context, gh *github.Client, p *rescanPass, repos []*github.Repository) error {
	if len(repos) == 0 {
		return nil
	}
	done := map[string]bool{}
	if !r.All {
		var err error
		if done, err = r.doneHeads(ctx, gh, repos); err != nil {
			// Not knowing costs requests, not correctness: rescan them.
			intake.LoggerFrom(ctx).Warn("could not tell which repositories are up to date; rescanning them", "installation", p.id, "err", err)
			done = map[string]bool{}
		}
	}
	var jobs []intake.Job
	for _, repo := range repos {
		if done[repo.GetNodeID()] {
			p.next[repo.GetID()] = RepoMark(repo)
			continue
		}
		jobs = append(jobs, intake.Job{
			Kind: intake.JobRescan, Action: "schedule", InstallationID: p.id,
			Owner: repo.GetOwner().GetLogin(), Repo: repo.GetName(), RepoID: repo.GetID(),
		})
	}
	if len(jobs) == 0 {
		return nil
	}
	if err := r.Queue.Enqueue(ctx, jobs...); err != nil {
		return err
	}
	p.queued += len(jobs)
	return nil
}

// RecoverDeliveries finds deliveries since `since` that never succeeded (no
// attempt, redeliveries included, answered 2xx), fetches each payload through
// the API, routes it like the webhook intake does and queues its jobs. It
// returns how many deliveries it recovered.
func (r *Rescanner) RecoverDeliveries(ctx context.Context, since time.Time) (int, error) {
	logger := intake.LoggerFrom(ctx)
	gh := r.Clients.App(ctx)
	succeeded := map[string]bool{}
	var failed []*github.HookDelivery // latest attempt first
	seen := map[string]bool{}
	opts := &github.ListCursorOptions{PerPage: r.perPage()}
list:
	for {
		page, resp, err := gh.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return 0, fmt.Errorf("listing webhook deliveries: %w", ghclient.Redact(err))
		}
		for _, d := range page { // newest first
			if d.GetDeliveredAt().Time.Before(since) {
				break list
			}
			guid := d.GetGUID()
			if code := d.GetStatusCode(); code >= 200 && code < 300 {
				succeeded[guid] = true
				continue
			}
			if !seen[guid] {
				seen[guid] = true
				failed = append(failed, d)
			}
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	var errs []error
	recovered := 0
	for _, d := range failed {
		if succeeded[d.GetGUID()] {
			continue // a redelivery got through
		}
		dl := logger.With("delivery", d.GetGUID(), "event", d.GetEvent(), "status", d.GetStatus())
		n, err := r.recover(ctx, gh, d)
		if err != nil {
			dl.Error("could not recover failed delivery", "err", err)
			errs = append(errs, fmt.Errorf("delivery %s: %w", d.GetGUID(), err))
			continue
		}
		dl.Info("failed delivery recovered", "jobs", n)
		recovered++
	}
	return recovered, errors.Join(errs...)
}

func (r *Rescanner) recover(ctx context.Context, gh *github.Client, d *github.HookDelivery) (int, error) {
	full, _, err := gh.Apps.GetHookDelivery(ctx, d.GetID())
	if err != nil {
		return 0, fmt.Errorf("fetching delivery: %w", ghclient.Redact(err))
	}
	if full.Request == nil || full.Request.RawPayload == nil {
		return 0, errors.New("delivery has no payload")
	}
	jobs, err := intake.Route(full.GetEvent(), *full.Request.RawPayload)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	for i := range jobs {
		jobs[i].Delivery = full.GetGUID()
	}
	return len(jobs), r.Queue.Enqueue(ctx, jobs...)
}

// RescanEvery runs r on clock until ctx ends: first after first (a process
// that just started recovers what its predecessor left queued, and the
// deliveries that failed while it was down), then every interval. Errors
// are logged; the loop goes on.
func RescanEvery(ctx context.Context, r *Rescanner, clock ghclient.Clock, first, interval time.Duration) {
	logger := intake.LoggerFrom(ctx)
	wait := first
	for {
		if err := clock.Sleep(ctx, wait); err != nil {
			return
		}
		if err := r.Run(ctx, clock.Now()); err != nil {
			logger.Error("rescan", "err", err)
		}
		wait = interval
	}
}

// doneHeadsQuery asks, for up to 100 repositories at once, whether the
// default branch head has a completed `hardener` check run.
const doneHeadsQuery = `query($ids: [ID!]!, $filter: CheckSuiteFilter, $runs: CheckRunFilter) {
  nodes(ids: $ids) {
    ... on Repository {
      id
      defaultBranchRef { target { ... on Commit { checkSuites(first: 10, filterBy: $filter) { nodes { checkRuns(first: 1, filterBy: $runs) { totalCount } } } } } }
    }
  }
}`

// doneHeads returns the node IDs of the repositories whose default branch
// head already has a completed `hardener` check run: that head was scanned
// (by its push's check suite, or an earlier rescan), so the nightly rescan
// skips it. One GraphQL request per 100 repositories; the state lives in
// GitHub.
func (r *Rescanner) doneHeads(ctx context.Context, gh *github.Client, repos []*github.Repository) (map[string]bool, error) {
	done := map[string]bool{}
	for start := 0; start < len(repos); start += doneHeadsBatch {
		var ids []string
		for _, repo := range repos[start:min(start+doneHeadsBatch, len(repos))] {
			if id := repo.GetNodeID(); id != "" {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			continue
		}
		filter := map[string]any{"checkName": CheckName}
		runs := map[string]any{"checkName": CheckName, "status": "COMPLETED"}
		if r.AppID != 0 {
			filter["appId"], runs["appId"] = r.AppID, r.AppID
		}
		var out struct {
			Nodes []*struct {
				ID               string `json:"id"`
				DefaultBranchRef *struct {
					Target struct {
						CheckSuites struct {
							Nodes []struct {
								CheckRuns struct {
									TotalCount int `json:"totalCount"`
								} `json:"checkRuns"`
							} `json:"nodes"`
						} `json:"checkSuites"`
					} `json:"target"`
				} `json:"defaultBranchRef"`
			} `json:"nodes"`
		}
		errs, err := graphqlDo(ctx, gh, doneHeadsQuery, map[string]any{"ids": ids, "filter": filter, "runs": runs}, &out)
		if err != nil {
			return nil, err
		}
		if len(errs) > 0 {
			return nil, errs
		}
		for _, n := range out.Nodes {
			if n == nil || n.DefaultBranchRef == nil {
				continue
			}
			for _, s := range n.DefaultBranchRef.Target.CheckSuites.Nodes {
				if s.CheckRuns.TotalCount > 0 {
					done[n.ID] = true
				}
			}
		}
	}
	return done, nil
}
