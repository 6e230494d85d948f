package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/remediations"
)

// InstallationClients hands out a client per installation; *Clients is
// one.
type InstallationClients interface {
	Installation(ctx context.Context, installationID int64) (*github.Client, error)
}

// WorkerOptions tune a Worker.
type WorkerOptions struct {
	// Scorecard runs the OpenSSF Scorecard checks on every snapshot (and on
	// the fixed one) for the check-run summary and the PR body.
	Scorecard bool
	// Limits bound repository archives (zero: DefaultSnapshotLimits).
	Limits SnapshotLimits
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
}

// Worker runs jobs: it scans a repository, posts the `hardener` check run
// and opens or refreshes the hardening pull request. It keeps no state of
// its own beyond caches: GitHub holds it (check runs by name and head SHA,
// the PR by head branch, a hash of its fixes in the PR body).
type Worker struct {
	clients  InstallationClients
	resolver *resolve.Resolver
	opts     WorkerOptions
	download *http.Client

	orgMu  sync.Mutex
	orgCfg map[string]orgEntry // lower-case owner
}

// NewWorker returns a Worker. resolver resolves action tags for
// pin-actions (shared by every repository, so its cache spans them); nil
// leaves actions unpinned and reported.
func NewWorker(clients InstallationClients, resolver *resolve.Resolver, opts WorkerOptions) *Worker {
	dl := opts.Download
	if dl == nil {
		dl = &http.Client{Timeout: 2 * time.Minute}
	}
	if opts.OrgConfigTTL == 0 {
		opts.OrgConfigTTL = 10 * time.Minute
	}
	return &Worker{clients: clients, resolver: resolver, opts: opts, download: dl, orgCfg: map[string]orgEntry{}}
}

var _ Runner = (*Worker)(nil)

// Run executes one job. Rate limits, GitHub still computing and server
// errors come back as *RetryError so that the job is queued again; a
// repository that is gone, archived or empty ends the job quietly.
func (w *Worker) Run(ctx context.Context, job Job) error {
	ctx = withInstallation(ctx, job.InstallationID)
	// Tag resolutions of private action repositories stay with the
	// installation that could see them.
	ctx = resolve.WithScope(ctx, strconv.FormatInt(job.InstallationID, 10))
	gh, err := w.client(ctx, job)
	if g, ok := w.clients.(grantReporter); ok && err == nil && job.Kind != JobCheck {
		ctx = context.WithValue(ctx, grantedCtxKey{}, g.Granted(job.InstallationID))
	}
	if err == nil {
		err = w.run(ctx, gh, job)
	}
	if err == nil {
		return nil
	}
	if d, ok := AsRetry(err); ok {
		var re *RetryError
		if errors.As(err, &re) {
			return re
		}
		return &RetryError{After: d, Err: err}
	}
	return err
}

// narrowingClients can hand out tokens with fewer permissions; *Clients
// does.
type narrowingClients interface {
	InstallationFor(ctx context.Context, installationID int64, repoIDs []int64, perms *github.InstallationPermissions) (*github.Client, error)
}

// checkOnly is all a pull-request check needs: it reads the repository and
// writes a check run. A token that cannot push or comment is what runs on
// events that anyone who opens a pull request, forks included, can cause.
var checkOnly = &github.InstallationPermissions{Checks: github.String("write"), Contents: github.String("read"), Metadata: github.String("read")}

// grantReporter tells which permissions an installation's token has;
// *Clients does.
type grantReporter interface {
	Granted(installationID int64) map[string]string
}

type grantedCtxKey struct{}

// granted returns the job token's permissions, or nil when unknown.
func granted(ctx context.Context) map[string]string {
	g, _ := ctx.Value(grantedCtxKey{}).(map[string]string)
	return g
}

// client returns the installation client for a job, narrowed for
// pull-request checks (a default-branch check may also open a draft
// advisory). It is not narrowed to the repository: the organisation's
// .github repository holds the shared configuration.
func (w *Worker) client(ctx context.Context, job Job) (*github.Client, error) {
	if n, ok := w.clients.(narrowingClients); ok && job.Kind == JobCheck && job.PR != 0 {
		return n.InstallationFor(ctx, job.InstallationID, nil, checkOnly)
	}
	return w.clients.Installation(ctx, job.InstallationID)
}

// repoInfo is what a job needs to know about its repository.
type repoInfo struct {
	owner, name   string
	defaultBranch string
	private       bool
	ownerType     string
}

func (r repoInfo) full() string { return r.owner + "/" + r.name }

func (w *Worker) run(ctx context.Context, gh *github.Client, job Job) error {
	logger := LoggerFrom(ctx)
	gr, _, err := gh.Repositories.Get(ctx, job.Owner, job.Repo)
	if isNotFound(err) {
		logger.Info("repository not accessible; nothing to do")
		return nil
	}
	if err != nil {
		return fmt.Errorf("get repository %s/%s: %w", job.Owner, job.Repo, err)
	}
	if gr.GetArchived() {
		logger.Info("repository archived; skipped")
		return nil
	}
	ri := repoInfo{owner: gr.GetOwner().GetLogin(), name: gr.GetName(), defaultBranch: gr.GetDefaultBranch(),
		private:   gr.GetPrivate() || gr.GetVisibility() == "private" || gr.GetVisibility() == "internal",
		ownerType: gr.GetOwner().GetType()}
	if ri.owner == "" {
		ri.owner, ri.name = job.Owner, job.Repo
	}
	if strings.EqualFold(ri.name, orgRepo) {
		w.forgetOrg(ri.owner)
	}
	switch job.Kind {
	case JobUninstall:
		return w.closeHardeningPR(ctx, gh, ri, "The Hardener App was removed from this repository, so this pull request is closed and its branch deleted.")
	case JobInstall:
		return w.scanDefault(ctx, gh, ri, true)
	case JobRefreshPR, JobRescan:
		return w.scanDefault(ctx, gh, ri, false)
	case JobCheck:
		if job.PR != 0 && job.BaseSHA != "" {
			return w.checkPullRequest(ctx, gh, ri, job)
		}
		return w.checkCommit(ctx, gh, ri, job)
	}
	return fmt.Errorf("unknown job kind %q", job.Kind)
}

func isNotFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// fetchOrSkip fetches a tree and turns an empty repository into a logged skip.
func (w *Worker) fetchOrSkip(ctx context.Context, gh *github.Client, ri repoInfo, ref string) (*Tree, bool, error) {
	t, err := w.fetchTree(ctx, gh, ri.owner, ri.name, ref)
	if errors.Is(err, errEmptyRepository) {
		LoggerFrom(ctx).Info("repository empty or commit not found; skipped", "ref", ref)
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
func (w *Worker) scanDefault(ctx context.Context, gh *github.Client, ri repoInfo, check bool) error {
	logger := LoggerFrom(ctx)
	t, ok, err := w.fetchOrSkip(ctx, gh, ri, ri.defaultBranch)
	if !ok {
		return err
	}
	ctx = ContextWithLogger(ctx, logger.With("head_sha", t.Commit))
	var cr *pendingCheck
	if check {
		if cr, err = w.startCheck(ctx, gh, ri, t.Commit); err != nil {
			return err
		}
	}
	cfg, enabled, cfgErr, err := w.loadConfig(ctx, gh, ri, t)
	if err != nil {
		return err
	}
	if cfgErr != nil {
		logger.Warn("invalid config", "err", cfgErr)
		if cr == nil {
			return nil // the check suite of the push shows it
		}
		return w.finishCheck(ctx, gh, ri, cr, configFailure(cfgErr))
	}
	if !enabled {
		logger.Info("repository opted out by the organisation's config")
		return w.closeHardeningPR(ctx, gh, ri, "Hardener is switched off for this repository by the organisation's configuration, so this pull request is closed and its branch deleted.")
	}
	sc, err := w.scan(ctx, ri, t, cfg)
	if err != nil {
		return err
	}
	sc.scores, sc.scoreErr = w.scorecardOf(ctx, t, nil)
	var pr *prOutcome
	var so *settingsOutcome
	if cfg.Mode != "report" {
		if pr, err = w.ensurePR(ctx, gh, ri, sc); err != nil {
			return err
		}
		if so, err = w.applySettings(ctx, gh, ri, sc); err != nil {
			return err
		}
	}
	if cr == nil && !so.hasNews() {
		return nil
	}
	adv, err := w.reportExploitable(ctx, gh, ri, sc)
	if err != nil {
		return err
	}
	res := defaultBranchResult(sc, pr, adv)
	res.Summary.Settings = so.lines()
	if cr == nil {
		// Settings changed or refused by a rescan show on the head's run.
		return w.reportSettings(ctx, gh, ri, t.Commit, res)
	}
	return w.finishCheck(ctx, gh, ri, cr, res)
}

// checkCommit posts the check run for a head that is not a pull request's
// (check suites on branches): every finding, conclusion neutral.
func (w *Worker) checkCommit(ctx context.Context, gh *github.Client, ri repoInfo, job Job) error {
	t, ok, err := w.fetchOrSkip(ctx, gh, ri, job.HeadSHA)
	if !ok {
		return err
	}
	cr, err := w.startCheck(ctx, gh, ri, t.Commit)
	if err != nil {
		return err
	}
	cfg, ok, err := w.checkConfig(ctx, gh, ri, cr, t)
	if !ok {
		return err
	}
	sc, err := w.scan(ctx, ri, t, cfg)
	if err != nil {
		return err
	}
	sc.scores, sc.scoreErr = w.scorecardOf(ctx, t, nil)
	var adv *advisoryOutcome
	if job.HeadBranch == ri.defaultBranch {
		if adv, err = w.reportExploitable(ctx, gh, ri, sc); err != nil {
			return err
		}
	}
	return w.finishCheck(ctx, gh, ri, cr, defaultBranchResult(sc, nil, adv))
}

// checkConfig loads the configuration from t for a check run. When it is
// invalid, or the organisation's config opts the repository out, it
// completes the check run saying so and ok is false.
func (w *Worker) checkConfig(ctx context.Context, gh *github.Client, ri repoInfo, cr *pendingCheck, t *Tree) (cfg config.Config, ok bool, err error) {
	cfg, enabled, cfgErr, err := w.loadConfig(ctx, gh, ri, t)
	switch {
	case err != nil:
		return cfg, false, err
	case cfgErr != nil:
		return cfg, false, w.finishCheck(ctx, gh, ri, cr, configFailure(cfgErr))
	case !enabled:
		return cfg, false, w.finishCheck(ctx, gh, ri, cr, optedOut())
	}
	return cfg, true, nil
}

// checkPullRequest posts the check run of a pull request: the conclusion
// follows what the PR introduces compared with its base. The config comes
// from the base, so that a PR cannot loosen the check that judges it.
func (w *Worker) checkPullRequest(ctx context.Context, gh *github.Client, ri repoInfo, job Job) error {
	head, ok, err := w.fetchOrSkip(ctx, gh, ri, job.HeadSHA)
	if !ok {
		return err
	}
	cr, err := w.startCheck(ctx, gh, ri, head.Commit)
	if err != nil {
		return err
	}
	base, ok, err := w.fetchOrSkip(ctx, gh, ri, job.BaseSHA)
	if !ok {
		return err
	}
	cfg, ok, err := w.checkConfig(ctx, gh, ri, cr, base)
	if !ok {
		return err
	}
	headScan, err := w.scan(ctx, ri, head, cfg)
	if err != nil {
		return err
	}
	headScan.scores, headScan.scoreErr = w.scorecardOf(ctx, head, nil)
	baseScan, err := w.scan(ctx, ri, base, cfg)
	if err != nil {
		return err
	}
	return w.finishCheck(ctx, gh, ri, cr, pullRequestResult(headScan, baseScan, cfg.FailOn))
}
