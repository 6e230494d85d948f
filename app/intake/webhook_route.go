package intake

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
)

// ActionOpenHardeningPR is the identifier of the check run's requested action
// "Open hardening PR".
const ActionOpenHardeningPR = "open_hardening_pr"

// PayloadError reports a webhook body that is not valid JSON for its event.
type PayloadError struct {
	Event string
	Err   error
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("malformed %s payload: %v", e.Event, e.Err)
}

func (e *PayloadError) Unwrap() error { return e.Err }

// Decision is the outcome of routing one delivery: the jobs to queue, or why
// there are none.
type Decision struct {
	Jobs    []Job
	Ignored string // reason when Jobs is empty
}

func ignore(format string, args ...any) (Decision, error) {
	return Decision{Ignored: fmt.Sprintf(format, args...)}, nil
}

// handledEvents are the events that can produce jobs; others are only checked
// for well-formed JSON.
var handledEvents = map[string]bool{
	"installation": true, "installation_repositories": true, "check_suite": true,
	"check_run": true, "pull_request": true, "push": true,
}

// Handles reports whether an event can produce jobs (the App manifest
// subscribes to exactly these, besides the installation events GitHub
// always sends).
func Handles(event string) bool { return handledEvents[event] }

// Route turns one webhook delivery (X-GitHub-Event and body) into jobs.
// Unhandled events and actions give no jobs and no error; a body that is not
// valid JSON gives a *PayloadError.
func Route(event string, payload []byte) ([]Job, error) {
	d, err := Decide(event, payload)
	return d.Jobs, err
}

// Decide is Route with the reason for ignoring a delivery.
func Decide(event string, payload []byte) (Decision, error) {
	if !handledEvents[event] {
		if !json.Valid(payload) {
			return Decision{}, &PayloadError{Event: event, Err: fmt.Errorf("invalid JSON")}
		}
		if event == "ping" {
			return ignore("ping")
		}
		return ignore("event %q not handled", event)
	}
	parsed, err := github.ParseWebHook(event, payload)
	if err != nil {
		return Decision{}, &PayloadError{Event: event, Err: err}
	}
	switch e := parsed.(type) {
	case *github.InstallationEvent:
		return routeInstallation(e)
	case *github.InstallationRepositoriesEvent:
		return routeInstallationRepositories(e)
	case *github.CheckSuiteEvent:
		return routeCheckSuite(e)
	case *github.CheckRunEvent:
		return routeCheckRun(e)
	case *github.PullRequestEvent:
		return routePullRequest(e)
	case *github.PushEvent:
		return routePush(e)
	}
	return ignore("event %q not handled", event)
}

func installationID(i *github.Installation) int64 {
	if i == nil {
		return 0
	}
	return i.GetID()
}

// splitFullName returns owner and name of "owner/name"; installation events
// list repositories by id, name and full name only.
func splitFullName(full, fallbackOwner, name string) (string, string) {
	if o, n, ok := strings.Cut(full, "/"); ok {
		return o, n
	}
	return fallbackOwner, name
}

func reposJobs(kind JobKind, action string, inst *github.Installation, repos []*github.Repository) []Job {
	jobs := make([]Job, 0, len(repos))
	for _, r := range repos {
		if r == nil {
			continue
		}
		owner, name := splitFullName(r.GetFullName(), inst.GetAccount().GetLogin(), r.GetName())
		jobs = append(jobs, Job{
			Kind: kind, Action: action, InstallationID: inst.GetID(),
			Owner: owner, Repo: name, RepoID: r.GetID(),
		})
	}
	return jobs
}

func withJobs(jobs []Job, emptyReason string) (Decision, error) {
	if len(jobs) == 0 {
		return ignore("%s", emptyReason)
	}
	return Decision{Jobs: jobs}, nil
}

func routeInstallation(e *github.InstallationEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("installation event without installation")
	}
	switch a := e.GetAction(); a {
	case "created":
		return withJobs(reposJobs(JobInstall, a, e.Installation, e.Repositories), "installation lists no repositories")
	case "deleted":
		return withJobs(reposJobs(JobUninstall, a, e.Installation, e.Repositories), "installation lists no repositories")
	default:
		return ignore("installation action %q not handled", a)
	}
}

func routeInstallationRepositories(e *github.InstallationRepositoriesEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("installation_repositories event without installation")
	}
	switch a := e.GetAction(); a {
	case "added":
		return withJobs(reposJobs(JobInstall, a, e.Installation, e.RepositoriesAdded), "no repositories added")
	case "removed":
		return withJobs(reposJobs(JobUninstall, a, e.Installation, e.RepositoriesRemoved), "no repositories removed")
	default:
		return ignore("installation_repositories action %q not handled", a)
	}
}

func repoJob(kind JobKind, action string, inst *github.Installation, r *github.Repository) Job {
	return Job{
		Kind: kind, Action: action, InstallationID: inst.GetID(),
		Owner: r.GetOwner().GetLogin(), Repo: r.GetName(), RepoID: r.GetID(),
	}
}

func routeCheckSuite(e *github.CheckSuiteEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("check_suite event without installation")
	}
	a := e.GetAction()
	if a != "requested" && a != "rerequested" {
		return ignore("check_suite action %q not handled", a)
	}
	cs := e.GetCheckSuite()
	j := repoJob(JobCheck, a, e.Installation, e.GetRepo())
	j.HeadSHA, j.HeadBranch = cs.GetHeadSHA(), cs.GetHeadBranch()
	if len(cs.PullRequests) > 0 {
		pr := cs.PullRequests[0]
		j.PR, j.BaseSHA = pr.GetNumber(), pr.GetBase().GetSHA()
	}
	if j.HeadSHA == "" {
		return ignore("check_suite without head_sha")
	}
	return Decision{Jobs: []Job{j}}, nil
}

func routeCheckRun(e *github.CheckRunEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("check_run event without installation")
	}
	cr := e.GetCheckRun()
	a := e.GetAction()
	var j Job
	switch a {
	case "rerequested":
		j = repoJob(JobCheck, a, e.Installation, e.GetRepo())
		j.HeadSHA = cr.GetHeadSHA()
		if len(cr.PullRequests) > 0 {
			j.PR, j.BaseSHA = cr.PullRequests[0].GetNumber(), cr.PullRequests[0].GetBase().GetSHA()
		}
	case "requested_action":
		if id := e.GetRequestedAction().Identifier; id != ActionOpenHardeningPR {
			return ignore("check_run requested_action %q not handled", id)
		}
		j = repoJob(JobRefreshPR, a, e.Installation, e.GetRepo())
		j.HeadSHA = cr.GetHeadSHA()
	default:
		return ignore("check_run action %q not handled", a)
	}
	j.HeadBranch = cr.GetCheckSuite().GetHeadBranch()
	j.CheckRunID = cr.GetID()
	return Decision{Jobs: []Job{j}}, nil
}

func routePullRequest(e *github.PullRequestEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("pull_request event without installation")
	}
	a := e.GetAction()
	if a != "opened" && a != "synchronize" && a != "reopened" {
		return ignore("pull_request action %q not handled", a)
	}
	pr := e.GetPullRequest()
	// The check run belongs to the base repository, where the App is installed.
	j := repoJob(JobCheck, a, e.Installation, e.GetRepo())
	j.PR = e.GetNumber()
	if j.PR == 0 {
		j.PR = pr.GetNumber()
	}
	j.HeadSHA, j.HeadBranch = pr.GetHead().GetSHA(), pr.GetHead().GetRef()
	j.BaseSHA = pr.GetBase().GetSHA()
	headRepo, baseRepo := pr.GetHead().GetRepo(), pr.GetBase().GetRepo()
	// A deleted fork has no head repository; treat it as a fork (untrusted).
	j.Fork = headRepo == nil || headRepo.GetID() != baseRepo.GetID()
	return Decision{Jobs: []Job{j}}, nil
}

func routePush(e *github.PushEvent) (Decision, error) {
	if installationID(e.Installation) == 0 {
		return ignore("push event without installation")
	}
	r := e.GetRepo()
	def := r.GetDefaultBranch()
	if def == "" || e.GetRef() != "refs/heads/"+def {
		return ignore("push to %q, not the default branch", e.GetRef())
	}
	if e.GetDeleted() {
		return ignore("default branch deleted")
	}
	owner := r.GetOwner().GetLogin()
	if owner == "" {
		owner = r.GetOwner().GetName()
	}
	if owner == "" {
		owner, _ = splitFullName(r.GetFullName(), "", "")
	}
	return Decision{Jobs: []Job{{
		Kind: JobRefreshPR, Action: "push", InstallationID: e.Installation.GetID(),
		Owner: owner, Repo: r.GetName(), RepoID: r.GetID(),
		HeadSHA: e.GetAfter(), HeadBranch: def,
	}}}, nil
}
