package app

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/app/dashboard"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// dashboardOrg is an organisation with the dashboard on, one repository
// opted out, one in report mode, one whose configuration is invalid (and
// quotes Markdown and HTML back in its error), one with fixes to propose.
type dashboardOrg struct {
	t       *testing.T
	fake    *githubfake.Fake
	worker  *Worker
	rescan  *Rescanner
	org     *githubfake.Repo
	api     *githubfake.Repo
	repos   map[string]*githubfake.Repo
	dash    *dashboard.Dashboard
	queue   *jobRecorder
	baseCtx context.Context
}

const hostileKey = "<img src=x onerror=alert(1)>@admins_[x](https://evil.example)"

func newDashboardOrg(t *testing.T, orgFile string) *dashboardOrg {
	t.Helper()
	f := githubfake.New(t)
	o := &dashboardOrg{t: t, fake: f, repos: map[string]*githubfake.Repo{}, queue: &jobRecorder{}, baseCtx: ctxWithTestLogger(t)}
	o.org = f.AddRepo("octo-org", ".github", map[string]string{".github/hardener.yml": orgFile, "SECURITY.md": "Mail security@example.org\n"})
	o.repos[".github"] = o.org
	weak := workflowFiles()
	o.api = f.AddRepo("octo-org", "api", weak)
	o.repos["api"] = o.api
	docs := workflowFiles()
	docs[".github/hardener.yml"] = "mode: report\n"
	o.repos["docs"] = f.AddRepo("octo-org", "docs", docs)
	o.repos["legacy"] = f.AddRepo("octo-org", "legacy", workflowFiles())
	broken := workflowFiles()
	broken[".github/hardener.yml"] = "\"" + hostileKey + "\": true\n"
	o.repos["broken"] = f.AddRepo("octo-org", "broken", broken)
	clients := testClients(t, f.URL())
	o.worker = NewWorker(clients, nil, WorkerOptions{})
	o.dash = NewDashboard(1, clients)
	o.rescan = &Rescanner{Clients: clients, Queue: o.queue, Observer: o.dash}
	return o
}

// run runs a job as the worker would.
func (o *dashboardOrg) run(j intake.Job) {
	o.t.Helper()
	if j.InstallationID == 0 {
		j.InstallationID = 1
	}
	if err := o.worker.Run(intake.ContextWithLogger(o.baseCtx, intake.LoggerFrom(o.baseCtx).With(j.LogArgs()...)), j); err != nil {
		o.t.Fatalf("job %+v: %v", j, err)
	}
}

func (o *dashboardOrg) install() {
	for name, r := range o.repos {
		o.run(intake.Job{Kind: intake.JobInstall, Action: "created", Owner: "octo-org", Repo: name, RepoID: r.ID})
	}
}

// rescanNow runs the rescan (the queued rescan jobs are not run: the
// dashboard must not depend on them) and returns the requests it made.
func (o *dashboardOrg) rescanNow() []githubfake.Request {
	o.t.Helper()
	o.fake.ResetCounts()
	if err := o.rescan.Run(o.baseCtx, time.Now()); err != nil {
		o.t.Fatal(err)
	}
	o.queue.take()
	return o.fake.Requests()
}

// dashboards are the App's dashboard issues in the org's .github.
func (o *dashboardOrg) dashboards() []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range o.org.Issues() {
		if is.Author == "hardener[bot]" && strings.HasPrefix(is.Body, dashboard.Marker) {
			out = append(out, is)
		}
	}
	return out
}

func (o *dashboardOrg) body() string {
	o.t.Helper()
	d := o.dashboards()
	if len(d) != 1 {
		o.t.Fatalf("%d dashboard issues, want exactly one", len(d))
	}
	return d[0].Body
}

func countOps(reqs []githubfake.Request, ops ...string) int {
	n := 0
	for _, r := range reqs {
		for _, op := range ops {
			if r.OperationID == op {
				n++
			}
		}
	}
	return n
}

func writes(reqs []githubfake.Request) []string {
	var out []string
	for _, r := range reqs {
		if r.Write && r.Auth == "installation-token" {
			out = append(out, r.Method+" "+r.OperationID)
		}
	}
	return out
}

func TestE2EDashboard(t *testing.T) {
	o := newDashboardOrg(t, "dashboard: {enabled: true}\nrepositories: {opt-out: [legacy]}\n")
	// Someone opened an issue that looks like the dashboard before the App
	// did: it is not the App's, so it is neither read nor updated.
	spoof := o.org.AddIssue("mallory", "Hardener dashboard", dashboard.Marker+"\nall good here, nothing to fix")
	o.install()

	// The first rescan creates the issue.
	reqs := o.rescanNow()
	if w := writes(reqs); len(w) != 1 || w[0] != "POST issues/create" {
		t.Fatalf("first rescan wrote %v, want the issue created", w)
	}
	body := o.body()
	for _, want := range []string{
		"| 🟠 PR open | 2 |", "| 📄 report mode | 1 |", "| ⏸️ opted out | 1 |", "| 🔴 error | 1 |", "| **all** | **5** |",
		"**Opted out** (1,", "): legacy", "**Report mode** (1, check runs only): docs",
		"[PR #1](" + o.fake.URL() + "/octo-org/api/pull/1)", "```mermaid\npie showData",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, body)
		}
	}
	// The repository's configuration error is shown, escaped.
	if !strings.Contains(body, "🔴 error: octo-org/broken:.github/hardener.yml: .github/hardener.yml:1: unknown key") ||
		strings.Contains(body, "<img") || strings.Contains(body, "@admins") || strings.Contains(body, "](https://evil") {
		t.Errorf("configuration error missing or unescaped:\n%s", body)
	}
	if is := o.org.Issues()[spoof-1]; is.Edits != 0 || !strings.Contains(is.Body, "all good here") {
		t.Errorf("the spoofed issue was touched: %+v", is)
	}

	// Nothing changed: no write, and no repository read again.
	reqs = o.rescanNow()
	if w := writes(reqs); len(w) != 0 {
		t.Errorf("unchanged rescan wrote %v", w)
	}
	if n := countOps(reqs, "checks/list-for-ref", "pulls/list"); n != 0 {
		t.Errorf("unchanged rescan read %d check runs or PRs", n)
	}
	t.Logf("unchanged rescan: %d requests", len(reqs))

	// The maintainers merge the hardening PR; the push brings a check run
	// on the new head. Only api is read again, and the issue is updated in
	// place.
	number := o.dashboards()[0].Number
	head := o.api.MergePull(1)
	o.run(intake.Job{Kind: intake.JobCheck, Action: "requested", Owner: "octo-org", Repo: "api", RepoID: o.api.ID, HeadSHA: head, HeadBranch: "main"})
	reqs = o.rescanNow()
	if n := countOps(reqs, "checks/list-for-ref"); n != 1 {
		t.Errorf("after one push, %d repositories read, want 1", n)
	}
	if w := writes(reqs); len(w) != 1 || w[0] != "PATCH issues/update" {
		t.Errorf("wrote %v, want the issue updated", w)
	}
	body = o.body()
	if d := o.dashboards(); d[0].Number != number || d[0].Edits != 1 {
		t.Errorf("dashboard %+v, want issue #%d updated once", d[0], number)
	}
	if !strings.Contains(body, "| 🟢 PR merged | 1 |") || !strings.Contains(body, "| 🟠 PR open | 1 |") {
		t.Errorf("merge not shown:\n%s", body)
	}
}

// TestE2EDashboardRecoversFromAnEditedIssue: a person editing the issue
// (state block included) cannot make the App lose repositories; the next
// rescan reads them again and writes the dashboard back.
func TestE2EDashboardRecoversFromAnEditedIssue(t *testing.T) {
	o := newDashboardOrg(t, "dashboard: {enabled: true}\n")
	o.install()
	o.rescanNow()
	good := o.body()
	o.org.EditIssue(o.dashboards()[0].Number, regexp.MustCompile(`v1 \S+ -->`).ReplaceAllString(good, "v1 !!!!! -->"))
	reqs := o.rescanNow()
	if n := countOps(reqs, "checks/list-for-ref"); n != 5 {
		t.Errorf("%d repositories read again, want all 5", n)
	}
	if got := o.body(); got != good {
		t.Errorf("body not restored:\n%s", got)
	}
}

func TestE2EDashboardOffByDefault(t *testing.T) {
	o := newDashboardOrg(t, "mode: pr\n")
	o.install()
	reqs := o.rescanNow()
	if len(o.org.Issues()) != 0 || countOps(reqs, "issues/list-for-repo", "checks/list-for-ref") != 0 {
		t.Errorf("dashboard made without being enabled: %+v", o.org.Issues())
	}
}
