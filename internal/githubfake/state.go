package githubfake

import (
	"encoding/json"
	"fmt"
	"time"
)

// PullRequest is a pull request as the fake stores it.
type PullRequest struct {
	Number int
	Head   string // branch name in the same repository
	Base   string
	Title  string
	Body   string
	State  string // "open" or "closed"
	Draft  bool
	Labels []string
	// HeadSHA and HeadOwner are set for a pull request from a fork
	// (OpenForkPR); Head is then the fork's branch.
	HeadSHA, HeadOwner string
	Merged             bool
}

// Comment is an issue or pull-request comment.
type Comment struct {
	ID    int64
	Issue int
	Body  string
}

// CheckRun is a check run with everything written to it so far.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	DetailsURL  string
	ExternalID  string
	Title       string
	Summary     string
	Text        string
	Annotations []map[string]any // appended across requests, as GitHub does
	Actions     []map[string]any
	SuiteID     int64
	AppID       int64 // the App that made it (AppID unless added by AddCheckRun)
}

// Token is an installation access token issued by the fake.
type Token struct {
	Value          string
	InstallationID int64
	Permissions    map[string]string
	Repositories   []string // requested repository names; nil means all
	RepositoryIDs  []int64
	ExpiresAt      time.Time
}

// Installation is an installation of the App.
type Installation struct {
	ID          int64
	Account     string
	AccountType string // "Organization" or "User"
	Permissions map[string]string
	Repos       []string // "owner/name"; nil means every repository of the account
}

// Delivery is an App webhook delivery that tests can seed.
type Delivery struct {
	ID          int64
	GUID        string
	Event       string
	Action      string
	Status      string // "OK" or an error text
	StatusCode  int
	Redelivery  bool
	Redelivered int // how many times the App asked for a redelivery
}

func defaultInstallPerms() map[string]string {
	return map[string]string{
		"metadata": "read", "contents": "write", "pull_requests": "write", "checks": "write",
		"issues": "write", "administration": "write", "workflows": "write",
		"actions": "read", "security_events": "write", "repository_advisories": "write",
	}
}

// AddInstallation adds an App installation (installation 1, account octo-org, is always there).
func (f *Fake) AddInstallation(inst Installation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inst.Permissions == nil {
		inst.Permissions = defaultInstallPerms()
	}
	f.installations = append(f.installations, &inst)
}

// IssueToken mints an installation token with exactly perms (nil: the installation's).
func (f *Fake) IssueToken(installationID int64, perms map[string]string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueToken(installationID, perms, nil).Value
}

func (f *Fake) issueToken(installationID int64, perms map[string]string, repos []string) *Token {
	if perms == nil {
		for _, in := range f.installations {
			if in.ID == installationID {
				perms = in.Permissions
			}
		}
	}
	cp := map[string]string{}
	for k, v := range perms {
		cp[k] = v
	}
	tok := &Token{Value: fmt.Sprintf("ghs_fake%032d", f.newID()), InstallationID: installationID,
		Permissions: cp, Repositories: repos, ExpiresAt: f.now().Add(time.Hour).UTC().Truncate(time.Second)}
	f.tokens[tok.Value] = tok
	return tok
}

// Tokens returns the tokens issued through the API, in order (not DefaultToken or IssueToken).
func (f *Fake) Tokens() []Token {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Token
	for _, t := range f.apiTokens {
		out = append(out, *t)
	}
	return out
}

// AddDelivery seeds an App webhook delivery for the deliveries endpoints.
func (f *Fake) AddDelivery(d Delivery) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d.ID == 0 {
		d.ID = f.newID()
	}
	if d.Status == "" {
		d.Status, d.StatusCode = "OK", 200
	}
	f.deliveries = append(f.deliveries, &d)
}

// Deliveries returns the seeded deliveries with their redelivery counts.
func (f *Fake) Deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Delivery
	for _, d := range f.deliveries {
		out = append(out, *d)
	}
	return out
}

// PullRequests returns the repository's pull requests in creation order.
func (r *Repo) PullRequests() []PullRequest {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []PullRequest
	for _, p := range r.pulls {
		c := *p
		c.Labels = append([]string(nil), p.Labels...)
		out = append(out, c)
	}
	return out
}

// Comments returns the comments on issue or pull request number.
func (r *Repo) Comments(number int) []Comment {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []Comment
	for _, c := range r.comments {
		if c.Issue == number {
			out = append(out, *c)
		}
	}
	return out
}

// CheckRuns returns the repository's check runs in creation order.
func (r *Repo) CheckRuns() []CheckRun {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []CheckRun
	for _, c := range r.checkRuns {
		cp := *c
		cp.Annotations = append([]map[string]any(nil), c.Annotations...)
		cp.Actions = append([]map[string]any(nil), c.Actions...)
		out = append(out, cp)
	}
	return out
}

// Protection returns the classic branch protection last PUT for branch, as JSON.
func (r *Repo) Protection(branch string) (json.RawMessage, bool) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	p, ok := r.protection[branch]
	if !ok {
		return nil, false
	}
	b, _ := json.Marshal(p)
	return b, true
}

// SetProtection seeds classic branch protection for branch (the PUT request body shape).
func (r *Repo) SetProtection(branch string, protection map[string]any) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.protection[branch] = protection
}

// Rulesets returns the repository rulesets as stored (each includes "id").
func (r *Repo) Rulesets() []json.RawMessage {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []json.RawMessage
	for _, rs := range r.rulesets {
		b, _ := json.Marshal(rs)
		out = append(out, b)
	}
	return out
}

// AddRuleset seeds a repository ruleset (the create request body shape) and returns its ID.
func (r *Repo) AddRuleset(rs map[string]any) int64 {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return r.addRuleset(rs)
}

// Advisories returns the repository security advisories created through the API.
func (r *Repo) Advisories() []json.RawMessage {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []json.RawMessage
	for _, a := range r.advisories {
		b, _ := json.Marshal(a)
		out = append(out, b)
	}
	return out
}

// PVREnabled reports whether private vulnerability reporting is enabled.
func (r *Repo) PVREnabled() bool {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return r.pvr
}

// DefaultWorkflowPermissions returns the default GITHUB_TOKEN permissions ("read"/"write").
func (r *Repo) DefaultWorkflowPermissions() string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return r.workflowPerms
}
