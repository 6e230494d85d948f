package intake

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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

// Events lists the events that can produce jobs, sorted: the App manifest
// subscribes to exactly these, but the installation events GitHub always
// sends.
func Events() []string { return slices.Sorted(maps.Keys(handledEvents)) }

// Route turns one webhook delivery (X-GitHub-Event and body) into jobs.
// Unhandled events and actions give no jobs and no error; a body that is not
// valid JSON gives a *PayloadError.
func Route(event string, payload []byte) ([]Job, error) {
	d, err := Decide(event, payload)
	return d.Jobs, err
}

// Decide is Route with the reason for ignoring a delivery.
//
// Only the fields routing needs are decoded, into the small types of
// payload.go: GitHub's payloads carry many more, in formats that vary
// (some check_run timestamps read "2018-04-25 20:42:10"), and a strict
// decoder of the whole event would refuse a genuine delivery over a field
// nobody reads. A needed field of the wrong type counts as absent.
func Decide(event string, body []byte) (Decision, error) {
	if !json.Valid(body) {
		return Decision{}, &PayloadError{Event: event, Err: fmt.Errorf("invalid JSON")}
	}
	if !handledEvents[event] {
		if event == "ping" {
			return ignore("ping")
		}
		return ignore("event %q not handled", event)
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return Decision{}, &PayloadError{Event: event, Err: err}
		}
		// Unmarshal fills every field it can and reports the first
		// mismatch; the mismatched field stays zero.
	}
	if p.Installation.ID == 0 {
		return ignore("%s event without installation", event)
	}
	switch event {
	case "installation":
		return routeInstallation(&p)
	case "installation_repositories":
		return routeInstallationRepositories(&p)
	case "check_suite":
		return routeCheckSuite(&p)
	case "check_run":
		return routeCheckRun(&p)
	case "pull_request":
		return routePullRequest(&p)
	case "push":
		return routePush(&p)
	}
	return ignore("event %q not handled", event)
}

// splitFullName returns owner and name of "owner/name"; installation events
// list repositories by id, name and full name only.
func splitFullName(full, fallbackOwner, name string) (string, string) {
	if o, n, ok := strings.Cut(full, "/"); ok {
		return o, n
	}
	return fallbackOwner, name
}

func reposJobs(kind JobKind, action string, inst installation, repos []repository) []Job {
	jobs := make([]Job, 0, len(repos))
	for _, r := range repos {
		owner, name := splitFullName(r.FullName, inst.Account.Login, r.Name)
		if owner == "" || name == "" {
			continue
		}
		jobs = append(jobs, Job{
			Kind: kind, Action: action, InstallationID: inst.ID,
			Owner: owner, Repo: name, RepoID: r.ID,
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

func routeInstallation(p *payload) (Decision, error) {
	switch a := p.Action; a {
	case "created":
		return withJobs(reposJobs(JobInstall, a, p.Installation, p.Repositories), "installation lists no repositories")
	case "deleted":
		return withJobs(reposJobs(JobUninstall, a, p.Installation, p.Repositories), "installation lists no repositories")
	default:
		return ignore("installation action %q not handled", a)
	}
}

func routeInstallationRepositories(p *payload) (Decision, error) {
	switch a := p.Action; a {
	case "added":
		return withJobs(reposJobs(JobInstall, a, p.Installation, p.RepositoriesAdded), "no repositories added")
	case "removed":
		return withJobs(reposJobs(JobUninstall, a, p.Installation, p.RepositoriesRemoved), "no repositories removed")
	default:
		return ignore("installation_repositories action %q not handled", a)
	}
}

func repoJob(kind JobKind, action string, p *payload) Job {
	r := p.Repository
	return Job{
		Kind: kind, Action: action, InstallationID: p.Installation.ID,
		Owner: r.Owner.Login, Repo: r.Name, RepoID: r.ID,
	}
}

func routeCheckSuite(p *payload) (Decision, error) {
	a := p.Action
	if a != "requested" && a != "rerequested" {
		return ignore("check_suite action %q not handled", a)
	}
	cs := p.CheckSuite
	j := repoJob(JobCheck, a, p)
	j.HeadSHA, j.HeadBranch = cs.HeadSHA, cs.HeadBranch
	if len(cs.PullRequests) > 0 {
		pr := cs.PullRequests[0]
		j.PR, j.BaseSHA = pr.Number, pr.Base.SHA
	}
	if j.HeadSHA == "" {
		return ignore("check_suite without head_sha")
	}
	return Decision{Jobs: []Job{j}}, nil
}

func routeCheckRun(p *payload) (Decision, error) {
	cr := p.CheckRun
	a := p.Action
	var j Job
	switch a {
	case "rerequested":
		j = repoJob(JobCheck, a, p)
		if len(cr.PullRequests) > 0 {
			j.PR, j.BaseSHA = cr.PullRequests[0].Number, cr.PullRequests[0].Base.SHA
		}
	case "requested_action":
		if id := p.RequestedAction.Identifier; id != ActionOpenHardeningPR {
			return ignore("check_run requested_action %q not handled", id)
		}
		j = repoJob(JobRefreshPR, a, p)
	default:
		return ignore("check_run action %q not handled", a)
	}
	j.HeadSHA = cr.HeadSHA
	j.HeadBranch = cr.CheckSuite.HeadBranch
	j.CheckRunID = cr.ID
	if j.HeadSHA == "" {
		return ignore("check_run without head_sha")
	}
	return Decision{Jobs: []Job{j}}, nil
}

func routePullRequest(p *payload) (Decision, error) {
	a := p.Action
	if a != "opened" && a != "synchronize" && a != "reopened" {
		return ignore("pull_request action %q not handled", a)
	}
	pr := p.PullRequest
	// The check run belongs to the base repository, where the App is installed.
	j := repoJob(JobCheck, a, p)
	j.PR = p.Number
	if j.PR == 0 {
		j.PR = pr.Number
	}
	j.HeadSHA, j.HeadBranch = pr.Head.SHA, pr.Head.Ref
	j.BaseSHA = pr.Base.SHA
	if j.HeadSHA == "" {
		return ignore("pull_request without head sha")
	}
	// A deleted fork has no head repository; treat it as a fork (untrusted).
	j.Fork = pr.Head.Repo == nil || pr.Base.Repo == nil || pr.Head.Repo.ID != pr.Base.Repo.ID
	return Decision{Jobs: []Job{j}}, nil
}

func routePush(p *payload) (Decision, error) {
	r := p.Repository
	def := r.DefaultBranch
	if def == "" || p.Ref != "refs/heads/"+def {
		return ignore("push to %q, not the default branch", p.Ref)
	}
	if p.Deleted {
		return ignore("default branch deleted")
	}
	owner := r.Owner.Login
	if owner == "" {
		owner = r.Owner.Name
	}
	if owner == "" {
		owner, _ = splitFullName(r.FullName, "", "")
	}
	return Decision{Jobs: []Job{{
		Kind: JobRefreshPR, Action: "push", InstallationID: p.Installation.ID,
		Owner: owner, Repo: r.Name, RepoID: r.ID,
		HeadSHA: p.After, HeadBranch: def,
	}}}, nil
}
