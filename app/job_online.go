package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/repo"
)

// Bounds on the online rules of one scan. A pull request's workflows are
// written by whoever opens it, and every distinct pin costs requests on
// the installation's token (a repository, its tag list, a compare or
// more): past these, the online rules are skipped and the check run says
// why.
const (
	maxOnlinePins  = 200
	maxOnlineRepos = 50
)

// onlineRules are the rules that ask GitHub about pinned actions
// (impostor-commit, ref-version-mismatch) for one scan. They go through
// the Worker's shared resolver: its requests carry the job's installation
// token (ghclient.JobTransport), what it learns about public repositories
// serves every installation, and what it learns about the others stays
// with the installation that could see them (resolve.WithScope in Run).
type onlineRules struct {
	rules []checks.Check
	// skipped says why the rules did not run, "" when they did.
	skipped string

	mu   sync.Mutex
	errs []error
}

// online prepares the online rules for snap; none when the Worker has no
// resolver.
func (j *jobRun) online(snap *repo.Snapshot) *onlineRules {
	o := &onlineRules{}
	if j.w.resolver == nil {
		return o
	}
	pins, repos := distinctPins(snap)
	if pins > maxOnlinePins || repos > maxOnlineRepos {
		o.skipped = fmt.Sprintf("%s and %s were not run: the workflows pin %s in %s, more than the %d pins in %d repositories "+
			"Hardener checks per scan", checks.RuleImpostorCommit, checks.RuleRefVersionMismatch,
			plural(pins, "action commit", "action commits"), plural(repos, "repository", "repositories"), maxOnlinePins, maxOnlineRepos)
		return o
	}
	var r checks.Resolver = j.w.resolver
	if !j.repo.private {
		r = &publicView{r: r, j: j, answers: map[string]error{}}
	}
	for _, c := range checks.Online(r) {
		o.rules = append(o.rules, recordingCheck{Check: c, o: o})
	}
	return o
}

// publicView keeps what the installation can see of its own private
// repositories out of a public repository's check run. The job's token
// sees the installation account's private repositories besides public
// ones, so a workflow in a public repository (a fork's pull request
// included) could otherwise ask whether a private repository of the same
// owner exists, which commits it has and what its tags are called. A
// public repository cannot run an action from a private one anyway: such
// a pin is reported as not checked, without saying whether it exists.
type publicView struct {
	r checks.Resolver
	j *jobRun

	mu      sync.Mutex
	answers map[string]error // lower-case owner/repo → nil when public
}

func (p *publicView) Contains(ctx context.Context, owner, repo, sha string) (bool, error) {
	if err := p.allowed(ctx, owner, repo); err != nil {
		return false, err
	}
	return p.r.Contains(ctx, owner, repo, sha)
}

func (p *publicView) TagsAt(ctx context.Context, owner, repo, sha string) ([]string, error) {
	if err := p.allowed(ctx, owner, repo); err != nil {
		return nil, err
	}
	return p.r.TagsAt(ctx, owner, repo, sha)
}

// allowed asks GitHub, once per scan, whether a repository of the scanned
// repository's owner is public; other owners' private repositories are
// out of the token's sight.
func (p *publicView) allowed(ctx context.Context, owner, repo string) error {
	if !strings.EqualFold(owner, p.j.repo.owner) || strings.EqualFold(repo, p.j.repo.name) {
		return nil
	}
	key := strings.ToLower(owner + "/" + repo)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err, ok := p.answers[key]; ok {
		return err
	}
	gr, _, err := p.j.gh.Repositories.Get(ctx, owner, repo)
	switch _, retry := ghclient.RetryDelay(err, 0); {
	case err != nil && retry:
		return err // not remembered: the job is queued again
	case err == nil && gr.Private != nil && !gr.GetPrivate() && gr.GetVisibility() != "internal":
		p.answers[key] = nil
	default:
		p.answers[key] = errNotPublic
	}
	return p.answers[key]
}

var errNotPublic = errors.New("not checked: the action repository is not public, and a public repository's check run does not show what Hardener can see of private ones")

// all is the list to scan with: the offline rules and the online ones
// (nil, meaning the offline rules, when the online ones do not run).
func (o *onlineRules) all() []checks.Check {
	if len(o.rules) == 0 {
		return nil
	}
	return append(checks.All(), o.rules...)
}

// retry returns the rate limit an online rule ran into, so that the job
// is queued again rather than reporting a scan that lacks those rules (the
// rest of the job would meet the same limit). Other failures, such as an
// action repository the installation cannot see, are listed in the check
// run by the engine and the job goes on.
func (o *onlineRules) retry() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, err := range o.errs {
		if _, ok := ghclient.RetryDelay(err, 0); ok && ghclient.Status(err) < 500 {
			return err
		}
	}
	return nil
}

// fileErrors says why the online rules did not run, for the check run.
func (o *onlineRules) fileErrors() []checks.FileError {
	if o.skipped == "" {
		return nil
	}
	return []checks.FileError{{File: ".", Message: o.skipped}}
}

// recordingCheck keeps the error a check returned with its type: the
// engine only reports its text.
type recordingCheck struct {
	checks.Check
	o *onlineRules
}

func (c recordingCheck) Run(ctx context.Context, snap *repo.Snapshot) ([]checks.Finding, error) {
	found, err := c.Check.Run(ctx, snap)
	if err != nil {
		c.o.mu.Lock()
		c.o.errs = append(c.o.errs, err)
		c.o.mu.Unlock()
	}
	return found, err
}

// distinctPins counts the distinct pinned commits (owner/repo@sha) the
// online rules would ask about, and their repositories.
func distinctPins(snap *repo.Snapshot) (pins, repos int) {
	seenPin, seenRepo := map[string]bool{}, map[string]bool{}
	for _, f := range checks.Load(snap).Files {
		for _, v := range f.Uses() {
			u, ok := checks.ParseUses(v.Value)
			if !ok || u.Local || u.Docker || !checks.IsSHA(u.Ref) {
				continue
			}
			r := strings.ToLower(u.Owner + "/" + u.Repo)
			seenRepo[r] = true
			seenPin[r+"@"+strings.ToLower(u.Ref)] = true
		}
	}
	return len(seenPin), len(seenRepo)
}
