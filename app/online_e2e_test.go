package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// onlineRepo is a repository whose workflows pin actions of two public
// upstream repositories and one private one: five distinct pins in three
// repositories, two of them repeated in a second workflow. One pin is a
// commit of no branch or tag (a fork's commit fetched through its parent),
// one carries the version comment of another release.
func onlineRepo(t *testing.T) (h *harness, lines map[string]int) {
	h = newHarness(t, map[string]string{"README.md": "# hello\n"})
	tool := h.fake.AddRepo("acme", "tool", map[string]string{"action.yml": "runs: {using: node20, main: x.js}\n"})
	v1 := tool.BranchSHA("main")
	tool.Tag("v1.0.0", v1, false)
	tool.Tag("v1", v1, true)
	v2 := tool.Commit("main", "release 2", map[string]string{"x.js": "2"})
	tool.Tag("v2.0.0", v2, false)
	fork := tool.CommitDetached(v1, "evil", map[string]string{"x.js": "steal()"})
	priv := h.fake.AddRepo("acme", "private-tool", map[string]string{"action.yml": "runs: {using: node20, main: p.js}\n"}, githubfake.Private())
	p1 := priv.BranchSHA("main")
	priv.Tag("v0.1.0", p1, false)
	checkout := h.fake.Repo("actions", "checkout").BranchSHA("main")

	steps := []string{
		"acme/tool@" + v1 + " # v1.0.0",
		"acme/tool@" + v2 + " # v1.0.0",
		"acme/tool@" + fork + " # v2.0.0",
		"acme/private-tool@" + p1 + " # v0.1.0",
		"actions/checkout@" + checkout + " # v4.2.2",
	}
	head := "on: [push]\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
	ci := head
	for _, s := range steps {
		ci += "      - uses: " + s + "\n"
	}
	lint := head + "      - uses: " + steps[0] + "\n      - uses: " + steps[3] + "\n"
	h.repo.Commit("main", "workflows", map[string]string{".github/workflows/ci.yml": ci, ".github/workflows/lint.yml": lint})
	// Lines of ci.yml: the steps start on line 8.
	return h, map[string]int{"v2": 9, "fork": 10}
}

// upstreamRequests counts the requests for the action repositories.
func (h *harness) upstreamRequests() (n int, ops []string) {
	for _, r := range h.fake.Requests() {
		if strings.HasPrefix(r.Path, "/repos/acme/") || strings.HasPrefix(r.Path, "/repos/actions/") {
			n++
			ops = append(ops, r.OperationID+" "+strings.TrimPrefix(r.Path, "/repos/"))
		}
	}
	return n, ops
}

func (h *harness) checkMain(installation int64) error {
	h.t.Helper()
	return h.worker.Run(ctxWithTestLogger(h.t), intake.Job{Kind: intake.JobCheck, InstallationID: installation,
		Owner: h.repo.Owner, Repo: h.repo.Name, HeadSHA: h.repo.BranchSHA("main"), HeadBranch: "main"})
}

// TestE2EOnlineRulesAnnotate: the App runs impostor-commit and
// ref-version-mismatch on every scan and annotates the pins they find.
func TestE2EOnlineRulesAnnotate(t *testing.T) {
	h, lines := onlineRepo(t)
	h.install()
	runs := h.repo.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs", len(runs))
	}
	got := map[string]string{}
	for _, a := range runs[0].Annotations {
		title := fmt.Sprint(a["title"])
		if a["path"] == ".github/workflows/ci.yml" && (strings.HasPrefix(title, "impostor-commit") || strings.HasPrefix(title, "ref-version-mismatch")) {
			got[fmt.Sprintf("%s:%v", strings.Fields(title)[0], a["start_line"])] = fmt.Sprint(a["annotation_level"])
		}
	}
	want := map[string]string{
		fmt.Sprintf("impostor-commit:%d", lines["fork"]):      "failure",
		fmt.Sprintf("ref-version-mismatch:%d", lines["fork"]): "notice",
		fmt.Sprintf("ref-version-mismatch:%d", lines["v2"]):   "notice",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("annotations %v, want %v", got, want)
	}
	if !strings.Contains(runs[0].Summary, "impostor-commit") {
		t.Errorf("summary does not count impostor-commit:\n%s", runs[0].Summary)
	}
	// The hardening PR corrects the comment it can (the released commit
	// v2.0.0); the fork's commit is left for a person.
	if got, _ := h.repo.File(HardeningBranch, ".github/workflows/ci.yml"); !strings.Contains(got, " # v2.0.0\n      - uses: acme/tool@") {
		t.Errorf("ci.yml on the branch:\n%s", got)
	}
}

// TestE2EOnlineRulesRequests counts what the online rules cost: requests
// per distinct pin on a cold cache, none on a warm one, and for another
// installation only the private repository's (public answers are shared).
func TestE2EOnlineRulesRequests(t *testing.T) {
	h, _ := onlineRepo(t)
	const pins, repos = 5, 3

	h.fake.ResetCounts()
	if err := h.checkMain(1); err != nil {
		t.Fatal(err)
	}
	cold, ops := h.upstreamRequests()
	t.Logf("cold cache: %d requests for %d distinct pins in %d repositories: %v", cold, pins, repos, ops)
	// Per repository: the repository and its tag list; per pin: one
	// compare; the impostor adds the branch list and three compares
	// against the newest tags; the annotated v1 is dereferenced once.
	if want := 2*repos + pins + 4 + 1; cold != want {
		t.Errorf("cold cache: %d requests, want %d", cold, want)
	}

	h.fake.ResetCounts()
	if err := h.checkMain(1); err != nil {
		t.Fatal(err)
	}
	if warm, ops := h.upstreamRequests(); warm != 0 {
		t.Errorf("warm cache: %d requests: %v", warm, ops)
	}

	h.fake.ResetCounts()
	if err := h.checkMain(2); err != nil {
		t.Fatal(err)
	}
	other, ops := h.upstreamRequests()
	t.Logf("another installation: %d requests: %v", other, ops)
	for _, op := range ops {
		if !strings.Contains(op, "acme/private-tool") {
			t.Errorf("another installation asked again about a public repository: %s", op)
		}
	}
	if other != 3 { // the private repository, its compare and its tag list
		t.Errorf("another installation: %d requests, want 3", other)
	}
	for _, r := range h.repo.CheckRuns() {
		if strings.Contains(r.Summary, "were not run") {
			t.Errorf("online rules skipped:\n%s", r.Summary)
		}
	}
}

// TestE2EOnlineRulesRateLimited: a rate limit met by an online rule sends
// the job back to the queue instead of posting a scan without those rules.
func TestE2EOnlineRulesRateLimited(t *testing.T) {
	h, _ := onlineRepo(t)
	h.fake.FailNext("repos/compare-commits", 1, 403, map[string]string{"Retry-After": "60"},
		`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	err := h.checkMain(1)
	var re *intake.RetryError
	if !errors.As(err, &re) || re.After != time.Minute {
		t.Fatalf("err = %v, want a RetryError", err)
	}
	for _, r := range h.repo.CheckRuns() {
		if r.Status == "completed" {
			t.Errorf("a check run was completed without the online rules: %+v", r.Summary)
		}
	}
}

// TestE2EOnlineRulesBounded: workflows that pin more commits than the App
// checks per scan (a pull request can add any number) cost no request;
// the check run says the rules were skipped and why.
func TestE2EOnlineRulesBounded(t *testing.T) {
	h := newHarness(t, map[string]string{"README.md": "# hello\n"})
	var b strings.Builder
	b.WriteString("on: [push]\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n")
	for i := range maxOnlinePins + 1 {
		fmt.Fprintf(&b, "      - uses: acme/tool@%040x # v1.0.%d\n", i+1, i)
	}
	h.repo.Commit("main", "many pins", map[string]string{".github/workflows/ci.yml": b.String()})
	h.fake.ResetCounts()
	if err := h.checkMain(1); err != nil {
		t.Fatal(err)
	}
	if n, ops := h.upstreamRequests(); n != 0 {
		t.Errorf("%d requests: %v", n, ops)
	}
	runs := h.repo.CheckRuns()
	if len(runs) != 1 || !strings.Contains(runs[0].Summary, "were not run: the workflows pin 201 action commits in 1 repository") {
		t.Errorf("summary:\n%s", runs[0].Summary)
	}
}

// TestE2EOnlineRulesPublicView: a public repository's check run shows
// nothing of the private repositories the installation can see (a fork's
// pull request could otherwise probe them); a private repository's check
// run checks them like any other.
func TestE2EOnlineRulesPublicView(t *testing.T) {
	for name, private := range map[string]bool{"public": false, "private": true} {
		t.Run(name, func(t *testing.T) {
			var opts []githubfake.RepoOption
			if private {
				opts = append(opts, githubfake.Private())
			}
			h := newHarness(t, map[string]string{"README.md": "# hello\n"}, opts...)
			internal := h.fake.AddRepo(h.repo.Owner, "internal-action", map[string]string{"action.yml": "runs: {using: node20, main: i.js}\n"}, githubfake.Private())
			internal.Tag("v3.1.0", "main", false)
			shared := h.fake.AddRepo(h.repo.Owner, "shared-action", map[string]string{"action.yml": "runs: {using: node20, main: s.js}\n"})
			shared.Tag("v1.0.0", "main", false)
			wf := "on: [push]\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
				"      - uses: " + h.repo.Owner + "/internal-action@" + internal.BranchSHA("main") + " # v3.0.0\n" +
				"      - uses: " + h.repo.Owner + "/shared-action@" + shared.BranchSHA("main") + " # v0.9.0\n"
			h.repo.Commit("main", "wf", map[string]string{".github/workflows/ci.yml": wf})
			h.fake.ResetCounts()
			if err := h.checkMain(1); err != nil {
				t.Fatal(err)
			}
			var asked []string
			for _, r := range h.fake.Requests() {
				if strings.Contains(r.Path, "/internal-action") {
					asked = append(asked, r.OperationID)
				}
			}
			run := h.repo.CheckRuns()[0]
			var lines []string
			for _, a := range run.Annotations {
				if strings.HasPrefix(fmt.Sprint(a["title"]), "ref-version-mismatch") {
					lines = append(lines, fmt.Sprint(a["start_line"]))
				}
			}
			if private {
				if len(lines) != 2 || strings.Contains(run.Summary, "not checked") {
					t.Errorf("mismatches on lines %v, summary:\n%s", lines, run.Summary)
				}
				return
			}
			// One look at the repository itself, nothing about its commits or tags.
			if fmt.Sprint(asked) != "[repos/get]" {
				t.Errorf("requests about the private repository: %v", asked)
			}
			if fmt.Sprint(lines) != "[8]" || !strings.Contains(run.Summary, "internal-action@") || !strings.Contains(run.Summary, "not checked: the action repository is not public") ||
				strings.Contains(run.Summary, "v3.1.0") {
				t.Errorf("mismatches on lines %v, summary:\n%s", lines, run.Summary)
			}
		})
	}
}
