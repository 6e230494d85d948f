package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/app/metrics"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/checks/scorecard"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/pin"
)

// Clients hands out the GitHub clients of installations; *ghclient.Clients
// is one.
type Clients interface {
	// Installation is a client with everything the installation may do.
	Installation(ctx context.Context, installationID int64) (*github.Client, error)
	// InstallationFor is a client whose token is narrowed to repoIDs and
	// perms (nil: no narrowing).
	InstallationFor(ctx context.Context, installationID int64, repoIDs []int64, perms *github.InstallationPermissions) (*github.Client, error)
	// Granted is what GitHub granted the installation's full token, nil
	// when unknown.
	Granted(installationID int64) map[string]string
}

// WorkerOptions tune a Worker.
type WorkerOptions struct {
	// Scorecard runs the OpenSSF Scorecard checks, each run in a bounded
	// child process, on every snapshot (and on the fixed one) for the
	// check-run summary and the PR body; nil turns them off. Pull-request
	// heads are scored only when the Sandbox allows it.
	Scorecard *scorecard.Sandbox
	// Limits bound repository archives (zero: snapshot.DefaultLimits).
	Limits snapshot.Limits
	// Download fetches tarballs from the link GitHub redirects to; it sends
	// no credentials (the link carries its own). Nil: a client with a
	// 2-minute timeout.
	Download *http.Client
	// Images resolves container image digests for pin-images; nil leaves
	// images unpinned and reported.
	Images remediations.ImageResolver
	// OrgConfigTTL is how long an organisation's config is reused across
	// repositories (default 10 minutes; any job for the organisation's
	// .github repository, such as a push to it, drops the cached copy).
	OrgConfigTTL time.Duration
	// Metrics receives the jobs' measurements when the caller's context
	// brings no Recorder (hardener serve); nil drops them.
	Metrics metrics.Recorder
	// Clock is the time jobs wait on between tries (nil: the system's).
	Clock ghclient.Clock
}

// Worker runs jobs: it scans a repository, posts the `hardener` check run
// and opens or refreshes the hardening pull request. It keeps no state of
// its own beyond caches: GitHub holds it (check runs by name and head SHA,
// the PR by head branch, a hash of its fixes in the PR body).
type Worker struct {
	clients  Clients
	resolver *resolve.Resolver
	opts     WorkerOptions
	fetcher  *snapshot.Fetcher
	clock    ghclient.Clock
	// followUp receives the pull-request job a first scan queues (posture
	// first); nil opens the pull request in the same job.
	followUp intake.Enqueuer

	orgMu  sync.Mutex
	orgCfg map[string]orgEntry // lower-case owner

	ident identityCache // the App's ID and bot login (GET /app)
}

// NewWorker returns a Worker. resolver resolves action tags for
// pin-actions (shared by every repository, so its cache spans them); nil
// leaves actions unpinned and reported.
func NewWorker(clients Clients, resolver *resolve.Resolver, opts WorkerOptions) *Worker {
	if opts.OrgConfigTTL == 0 {
		opts.OrgConfigTTL = 10 * time.Minute
	}
	if opts.Clock == nil {
		opts.Clock = ghclient.SystemClock()
	}
	return &Worker{clients: clients, resolver: resolver, opts: opts, clock: opts.Clock,
		fetcher: &snapshot.Fetcher{Download: opts.Download, Limits: opts.Limits}, orgCfg: map[string]orgEntry{}}
}

// SetFollowUp makes the first scan of a repository post its check run and
// queue the hardening pull request as a job of its own on q, ordered by
// the repository's risk: every repository's posture is known before the
// write budget goes to pull requests. Call it before use.
func (w *Worker) SetFollowUp(q intake.Enqueuer) { w.followUp = q }

// NewAppWorker builds the Worker that `hardener serve` and the Lambda
// worker run: one process-wide tag resolver (its cache spans repositories
// and installations) whose requests carry the token of the installation
// whose job asked, image digests from the registries, and Scorecard scores
// in check runs and PR bodies.
func NewAppWorker(clients *ghclient.Clients) (*Worker, error) {
	gh, err := resolve.NewClient(clients.APIBase(), "", &http.Client{Transport: ghclient.JobTransport(clients)})
	if err != nil {
		return nil, err
	}
	return NewWorker(clients, resolve.New(gh), WorkerOptions{
		Scorecard: &scorecard.Sandbox{},
		Images:    pin.Registry{Client: &registry.Client{}},
	}), nil
}

var _ intake.Runner = (*Worker)(nil)

// Run executes one job. Waiting for GitHub's pause or for the write
// budget comes back as *intake.RetryError wrapping the
// *ghclient.RateLimitedError (the job is parked, not failed); other errors
// come back as they are, and the queue decides from ghclient.RetryDelay
// and the job's attempt whether and when to run it again (server errors
// back off). A repository that is gone, archived or empty, or an
// installation that no longer exists, ends the job quietly.
func (w *Worker) Run(ctx context.Context, job intake.Job) error {
	ctx = ghclient.WithInstallation(ctx, job.InstallationID)
	// Tag resolutions of private action repositories stay with the
	// installation that could see them.
	ctx = resolve.WithScope(ctx, strconv.FormatInt(job.InstallationID, 10))
	// No log line of a job, nor the error it ends with, spells a
	// credential, whatever error or URL it quotes.
	ctx = intake.ContextWithLogger(ctx, slog.New(ghclient.RedactLogs(intake.LoggerFrom(ctx).Handler())))
	ctx = w.withMetrics(ctx)
	err := ghclient.Scrub(recordJob(ctx, job, w.run(ctx, job)))
	if err == nil || !ghclient.IsPark(err) {
		return err
	}
	var re *intake.RetryError
	if errors.As(err, &re) {
		return &intake.RetryError{After: re.After, Err: ghclient.Scrub(re.Err)}
	}
	d, _ := ghclient.RetryDelay(err, 0)
	return &intake.RetryError{After: d, Err: err}
}

// jobRun is one job on one repository: the installation's client, the
// repository, the logger and what the token was granted, made once when
// the job starts. Every step of a job is a method of it.
type jobRun struct {
	w    *Worker
	job  intake.Job
	gh   *github.Client
	repo repoInfo
	log  *slog.Logger
	// granted is the job token's permissions, nil when unknown (a
	// narrowed pull-request token).
	granted map[string]string
}

// repoInfo is what a job needs to know about its repository.
type repoInfo struct {
	owner, name   string
	defaultBranch string
	private       bool
	ownerType     string
	nodeID        string // for GraphQL mutations
	stars         int
}

func (r repoInfo) full() string { return r.owner + "/" + r.name }

// checkOnly is all a pull-request check needs: it reads the repository and
// writes a check run. A token that cannot push or comment is what runs on
// events that anyone who opens a pull request, forks included, can cause.
var checkOnly = &github.InstallationPermissions{Checks: github.String("write"), Contents: github.String("read"), Metadata: github.String("read")}

// start makes the job's client (narrowed for pull-request checks; not to
// the repository, since the organisation's .github repository holds the
// shared configuration) and reads the repository. ok is false when there
// is nothing to do: the repository is gone or archived.
func (w *Worker) start(ctx context.Context, job intake.Job) (j *jobRun, ok bool, err error) {
	j = &jobRun{w: w, job: job, log: intake.LoggerFrom(ctx)}
	if job.Kind == intake.JobCheck && job.PR != 0 {
		j.gh, err = w.clients.InstallationFor(ctx, job.InstallationID, nil, checkOnly)
	} else {
		j.gh, err = w.clients.Installation(ctx, job.InstallationID)
		if job.Kind != intake.JobCheck {
			j.granted = w.clients.Granted(job.InstallationID)
		}
	}
	if ghclient.IsNotFound(err) {
		// GitHub has no such installation any more (uninstalled): its
		// queued jobs have nothing to do, and retrying cannot change that.
		j.log.Info("installation gone; nothing to do", "err", err)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	gr, _, err := j.gh.Repositories.Get(ctx, job.Owner, job.Repo)
	if ghclient.IsNotFound(err) {
		j.log.Info("repository not accessible; nothing to do")
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get repository %s/%s: %w", job.Owner, job.Repo, err)
	}
	if gr.GetArchived() {
		j.log.Info("repository archived; skipped")
		return nil, false, nil
	}
	j.repo = repoInfo{owner: gr.GetOwner().GetLogin(), name: gr.GetName(), defaultBranch: gr.GetDefaultBranch(),
		private:   gr.GetPrivate() || gr.GetVisibility() == "private" || gr.GetVisibility() == "internal",
		ownerType: gr.GetOwner().GetType(), nodeID: gr.GetNodeID(), stars: gr.GetStargazersCount()}
	if j.repo.owner == "" {
		j.repo.owner, j.repo.name = job.Owner, job.Repo
	}
	return j, true, nil
}

// actionPosture marks the pull-request job a first scan queued.
const actionPosture = "posture"

// budgetClients are clients that can say when the write budget has room
// (*ghclient.Clients).
type budgetClients interface {
	WriteBudgetFree(ctx context.Context, installation int64) (time.Time, error)
}

func (w *Worker) run(ctx context.Context, job intake.Job) error {
	if bc, ok := w.clients.(budgetClients); ok && job.Kind == intake.JobRefreshPR {
		// Pull-request work is mostly writes: while the budget is spent,
		// wait without reading the repository again.
		at, err := bc.WriteBudgetFree(ctx, job.InstallationID)
		if err != nil {
			return err
		}
		if wait := at.Sub(w.clock.Now()); wait > ghclient.MaxInlineWait {
			return ghclient.WriteBudgetSpent(at, w.clock.Now)
		}
	}
	j, ok, err := w.start(ctx, job)
	if !ok {
		return err
	}
	if strings.EqualFold(j.repo.name, orgRepo) {
		w.forgetOrg(j.repo.owner)
	}
	switch job.Kind {
	case intake.JobUninstall:
		return j.closeHardeningPR(ctx, "The Hardener App was removed from this repository, so this pull request is closed and its branch deleted.")
	case intake.JobInstall:
		return j.scanDefault(ctx, true)
	case intake.JobRefreshPR, intake.JobRescan:
		return j.scanDefault(ctx, false)
	case intake.JobCheck:
		return j.checkHead(ctx)
	}
	return fmt.Errorf("unknown job kind %q", job.Kind)
}

// atCommit adds the commit a job works on to its logger, in j and in the
// context for the packages it calls.
func (j *jobRun) atCommit(ctx context.Context, sha string) context.Context {
	j.log = j.log.With("head_sha", sha)
	return intake.ContextWithLogger(ctx, j.log)
}

// fetchOrSkip fetches a snapshot and turns an empty repository into a
// logged skip.
func (j *jobRun) fetchOrSkip(ctx context.Context, ref string) (*snapshot.Tree, bool, error) {
	t, err := j.w.fetcher.Fetch(ctx, j.gh, j.repo.owner, j.repo.name, ref)
	if errors.Is(err, snapshot.ErrEmptyRepository) {
		j.log.Info("repository empty or commit not found; skipped", "ref", ref)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return t, true, nil
}

// scanDefault scans the default branch head and, unless the config says
// report, opens or refreshes the hardening PR; with check it also posts
// the check run on that head (installation).
func (j *jobRun) scanDefault(ctx context.Context, check bool) error {
	t, ok, err := j.fetchOrSkip(ctx, j.repo.defaultBranch)
	if !ok {
		return err
	}
	ctx = j.atCommit(ctx, t.Commit)
	var cr *pendingCheck
	if !check && j.job.Kind == intake.JobRescan {
		// A head without a completed run (its push's check suite never
		// came, or a job was lost) gets one, so that the next nightly
		// rescan can skip it.
		pc, err := j.lookupCheck(ctx, t.Commit)
		if err != nil {
			return err
		}
		if !pc.completed {
			cr = pc
		}
	}
	if check {
		// Looked up, not created: the run is created completed, with the
		// result, in one request.
		if cr, err = j.lookupCheck(ctx, t.Commit); err != nil {
			return err
		}
	}
	cfg, enabled, cfgErr, err := j.loadConfig(ctx, t)
	if err != nil {
		return err
	}
	if cfgErr != nil {
		j.log.Warn("invalid config", "err", cfgErr)
		if cr == nil {
			return nil // the check suite of the push shows it
		}
		return j.finishCheck(ctx, cr, configFailure(cfgErr))
	}
	if !enabled {
		j.log.Info("repository opted out by the organisation's config")
		return j.closeHardeningPR(ctx, "Hardener is switched off for this repository by the organisation's configuration, so this pull request is closed and its branch deleted.")
	}
	sc, err := j.scan(ctx, t, cfg)
	if err != nil {
		return err
	}
	sc.scores, sc.scoreErr = j.scorecard(ctx, t, nil, scorecard.FromBranch)
	var pr *prOutcome
	var so *settingsOutcome
	// Posture first: a first scan posts its check run now and leaves the
	// pull request and settings to a job of their own, in risk order.
	later := check && j.w.followUp != nil && cfg.Mode != config.ModeReport
	if later {
		pr = &prOutcome{State: prQueued, Message: "A hardening pull request follows: Hardener opens them across the installation in order of risk, as fast as GitHub's limits allow."}
	} else if cfg.Mode != config.ModeReport {
		if pr, err = j.ensurePR(ctx, sc); err != nil {
			return err
		}
		recordPR(ctx, pr)
		if so, err = j.applySettings(ctx, sc); err != nil {
			return err
		}
	}
	if cr == nil && (!so.hasNews() || j.job.Action == actionPosture) {
		// The pull request that follows a first scan does not touch the
		// check run again for settings it changed: a write per repository
		// the budget spends on pull requests instead. The next check run
		// shows them.
		return nil
	}
	adv, err := j.reportExploitable(ctx, sc)
	if err != nil {
		return err
	}
	res := defaultBranchResult(sc, pr, adv)
	res.Summary.Settings = so.lines()
	if cr == nil {
		// Settings changed or refused by a rescan show on the head's run.
		return j.reportSettings(ctx, t.Commit, res)
	}
	if err := j.finishCheck(ctx, cr, res); err != nil || !later {
		return err
	}
	return j.w.followUp.Enqueue(ctx, intake.Job{Kind: intake.JobRefreshPR, Action: actionPosture, Delivery: j.job.Delivery,
		InstallationID: j.job.InstallationID, Owner: j.repo.owner, Repo: j.repo.name, RepoID: j.job.RepoID,
		Priority: riskPriority(sc, j.repo)})
}

// checkCommit posts the check run for a head that is not a pull request's
// (check suites on branches): every finding, conclusion neutral.
func (j *jobRun) checkCommit(ctx context.Context) error {
	t, ok, err := j.fetchOrSkip(ctx, j.job.HeadSHA)
	if !ok {
		return err
	}
	cr, err := j.startCheck(ctx, t.Commit)
	if err != nil {
		return err
	}
	cfg, ok, err := j.checkConfig(ctx, cr, t)
	if !ok {
		return err
	}
	sc, err := j.scan(ctx, t, cfg)
	if err != nil {
		return err
	}
	sc.scores, sc.scoreErr = j.scorecard(ctx, t, nil, scorecard.FromBranch)
	var adv *advisoryOutcome
	if j.job.HeadBranch == j.repo.defaultBranch {
		if adv, err = j.reportExploitable(ctx, sc); err != nil {
			return err
		}
	}
	return j.finishCheck(ctx, cr, defaultBranchResult(sc, nil, adv))
}

// checkConfig loads the configuration from t for a check run. When it is
// invalid, or the organisation's config opts the repository out, it
// completes the check run saying so and ok is false.
func (j *jobRun) checkConfig(ctx context.Context, cr *pendingCheck, t *snapshot.Tree) (cfg config.Config, ok bool, err error) {
	cfg, enabled, cfgErr, err := j.loadConfig(ctx, t)
	switch {
	case err != nil:
		return cfg, false, err
	case cfgErr != nil:
		return cfg, false, j.finishCheck(ctx, cr, configFailure(cfgErr))
	case !enabled:
		return cfg, false, j.finishCheck(ctx, cr, optedOut())
	}
	return cfg, true, nil
}

// checkPullRequest posts the check run of a pull request: the conclusion
// follows what the PR introduces compared with its base. The config comes
// from the base, so that a PR cannot loosen the check that judges it.
func (j *jobRun) checkPullRequest(ctx context.Context) error {
	head, ok, err := j.fetchOrSkip(ctx, j.job.HeadSHA)
	if !ok {
		return err
	}
	cr, err := j.startCheck(ctx, head.Commit)
	if err != nil {
		return err
	}
	base, ok, err := j.fetchOrSkip(ctx, j.job.BaseSHA)
	if !ok {
		return err
	}
	cfg, ok, err := j.checkConfig(ctx, cr, base)
	if !ok {
		return err
	}
	// No Scorecard on a pull request's head: its tree is anyone's, and the
	// pull request's result shows no scores.
	headScan, err := j.scan(ctx, head, cfg)
	if err != nil {
		return err
	}
	baseScan, err := j.scan(ctx, base, cfg)
	if err != nil {
		return err
	}
	return j.finishCheck(ctx, cr, pullRequestResult(headScan, baseScan, cfg.FailOn))
}
