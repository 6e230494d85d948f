// Package intake is the light edge of the GitHub App: webhook signature
// checks, routing of events to jobs, and the job types that travel through
// queues. It does not depend on the scanners, so the Lambda function that
// receives webhooks stays small and starts fast.
package intake

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// JobKind says what a Job does. Values are stable strings because jobs travel
// as JSON in queue messages.
type JobKind string

const (
	// JobInstall scans a repository, posts a check run on the default branch
	// head and, unless the repository is in report mode, opens the hardening PR.
	JobInstall JobKind = "install"
	// JobCheck posts the check run for one head SHA (check suites, check run
	// re-requests, pull requests including forks).
	JobCheck JobKind = "check"
	// JobRefreshPR opens or refreshes the hardening PR without a new check run.
	JobRefreshPR JobKind = "refresh_pr"
	// JobUninstall closes the App's open PR and deletes its branch.
	JobUninstall JobKind = "uninstall"
	// JobRescan is the scheduled rescan of a repository.
	JobRescan JobKind = "rescan"
)

// Job is one unit of work for one repository. It holds references only,
// never payloads, so that it fits in a queue message.
type Job struct {
	Kind           JobKind `json:"kind"`
	Delivery       string  `json:"delivery,omitempty"`
	InstallationID int64   `json:"installation_id"`
	Owner          string  `json:"owner"`
	Repo           string  `json:"repo"`
	RepoID         int64   `json:"repo_id,omitempty"`
	HeadSHA        string  `json:"head_sha,omitempty"`
	HeadBranch     string  `json:"head_branch,omitempty"`
	PR             int     `json:"pr,omitempty"` // pull request number, 0 if none
	BaseSHA        string  `json:"base_sha,omitempty"`
	CheckRunID     int64   `json:"check_run_id,omitempty"`
	Fork           bool    `json:"fork,omitempty"`
	Action         string  `json:"action,omitempty"` // webhook action that caused the job
	// Priority orders an installation's waiting pull-request work: higher
	// first (see app.RiskPriority). 0 for everything else.
	Priority int `json:"priority,omitempty"`
}

// RepoKey identifies the job's repository; jobs with the same key never run
// at the same time.
func (j Job) RepoKey() string {
	if j.RepoID != 0 {
		return strconv.FormatInt(j.InstallationID, 10) + "/" + strconv.FormatInt(j.RepoID, 10)
	}
	return strconv.FormatInt(j.InstallationID, 10) + "/" + j.Owner + "/" + j.Repo
}

// LogArgs lists the fields that identify the job in logs.
func (j Job) LogArgs() []any {
	args := []any{"job", string(j.Kind), "installation", j.InstallationID, "repo", j.Owner + "/" + j.Repo}
	if j.Delivery != "" {
		args = append(args, "delivery", j.Delivery)
	}
	if j.HeadSHA != "" {
		args = append(args, "head_sha", j.HeadSHA)
	}
	if j.PR != 0 {
		args = append(args, "pr", j.PR)
	}
	if j.CheckRunID != 0 {
		args = append(args, "check_run", j.CheckRunID)
	}
	return args
}

// Runner executes jobs. A Runner returns a *RetryError when the job should be
// queued again later (rate limits, GitHub still computing something).
type Runner interface {
	Run(ctx context.Context, job Job) error
}

// Enqueuer accepts jobs for later execution. Enqueue either accepts all jobs
// or none.
type Enqueuer interface {
	Enqueue(ctx context.Context, jobs ...Job) error
}

// RetryError means "queue the job again after After"; it is not a failure.
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("retry after %s", e.After)
	}
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }
