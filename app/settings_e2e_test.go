package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/remediations/branchprot"
)

// rescan runs a scheduled rescan of the harness's repository.
func (h *harness) rescan() {
	h.t.Helper()
	if err := h.worker.Run(ctxWithTestLogger(h.t), intake.Job{Kind: intake.JobRescan, InstallationID: 1, Owner: h.repo.Owner, Repo: h.repo.Name}); err != nil {
		h.t.Fatalf("rescan: %v", err)
	}
}

// writes lists the state-changing requests since the last ResetCounts.
func (h *harness) writes() []string {
	var out []string
	for _, r := range h.fake.Requests() {
		if r.Write {
			out = append(out, r.Method+" "+r.OperationID)
		}
	}
	return out
}

// lastRun is the newest check run on the default branch head.
func (h *harness) lastRun() githubfake.CheckRun {
	h.t.Helper()
	head := h.repo.BranchSHA("main")
	var last *githubfake.CheckRun
	for _, r := range h.repo.CheckRuns() {
		if r.HeadSHA == head {
			r := r
			last = &r
		}
	}
	if last == nil {
		h.t.Fatalf("no check run on %s", head)
	}
	return *last
}

func TestE2EPrivateVulnerabilityReporting(t *testing.T) {
	t.Run("enabled on install", func(t *testing.T) {
		h := newHarness(t, workflowFiles())
		h.install()
		if !h.repo.PVREnabled() {
			t.Fatal("private vulnerability reporting not enabled")
		}
		if s := h.lastRun().Summary; !strings.Contains(s, "### Repository settings") || !strings.Contains(s, "Enabled private vulnerability reporting") {
			t.Errorf("summary:\n%s", s)
		}
		h.fake.ResetCounts()
		h.rescan()
		if n := h.fake.Count("repos/check-private-vulnerability-reporting"); n != 1 {
			t.Errorf("rescan checked PVR %d times, want 1", n)
		}
		if w := h.writes(); len(w) != 0 {
			t.Errorf("rescan wrote %v", w)
		}
	})
	t.Run("already on", func(t *testing.T) {
		h := newHarness(t, workflowFiles(), githubfake.PrivateVulnerabilityReporting(true))
		h.install()
		if n := h.fake.Count("repos/enable-private-vulnerability-reporting"); n != 0 {
			t.Errorf("PVR enabled %d times although it was on", n)
		}
		if s := h.lastRun().Summary; !strings.Contains(s, "Private vulnerability reporting is enabled.") {
			t.Errorf("summary:\n%s", s)
		}
	})
	t.Run("not permitted", func(t *testing.T) {
		h := newHarness(t, workflowFiles())
		h.fake.FailNext("repos/enable-private-vulnerability-reporting", 1, http.StatusForbidden, nil,
			`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`)
		h.install()
		if h.repo.PVREnabled() {
			t.Fatal("PVR enabled despite 403")
		}
		s := h.lastRun().Summary
		if !strings.Contains(s, "administration: write") || !strings.Contains(s, "hardener manifest --admin") {
			t.Errorf("summary does not say why:\n%s", s)
		}
		if n := len(h.repo.PullRequests()); n != 1 {
			t.Errorf("pull requests = %d, want 1 (a refused setting is not fatal)", n)
		}
		// Without the permission a rescan costs one request more, not a check
		// run: the repository, its tarball, its tree (to see what the tarball
		// hides), the check run, the PR and the setting.
		h.fake.FailNext("repos/check-private-vulnerability-reporting", 1, http.StatusForbidden, nil,
			`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`)
		h.fake.ResetCounts()
		h.rescan()
		repoN, _, ops := h.repoRequests()
		if repoN > 6 || h.fake.Count("checks/create")+h.fake.Count("checks/update") != 0 {
			t.Errorf("rescan without the permission: %d requests %v", repoN, ops)
		}
	})
	t.Run("private repository", func(t *testing.T) {
		h := newHarness(t, workflowFiles(), githubfake.Private())
		h.install()
		if n := h.fake.Count("repos/check-private-vulnerability-reporting"); n != 0 {
			t.Errorf("PVR checked on a private repository")
		}
	})
	t.Run("report mode", func(t *testing.T) {
		files := workflowFiles()
		files[".github/hardener.yml"] = "mode: report\nremediations: {branch-protection: true}\n"
		h := newHarness(t, files)
		h.install()
		h.rescan()
		for _, op := range []string{"repos/check-private-vulnerability-reporting", "repos/enable-private-vulnerability-reporting",
			"repos/get-branch-rules", "repos/create-repo-ruleset", "repos/update-branch-protection"} {
			if n := h.fake.Count(op); n != 0 {
				t.Errorf("%s called %d times in mode: report", op, n)
			}
		}
		if len(h.repo.Rulesets()) != 0 || h.repo.PVREnabled() {
			t.Error("settings changed in mode: report")
		}
	})
}

// rulesJSON decodes a stored ruleset.
func decodeRuleset(t *testing.T, raw json.RawMessage) branchprot.Ruleset {
	t.Helper()
	var rs branchprot.Ruleset
	if err := json.Unmarshal(raw, &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// rulesets returns the stored rulesets by name.
func (h *harness) rulesets() map[string]branchprot.Ruleset {
	out := map[string]branchprot.Ruleset{}
	for _, raw := range h.repo.Rulesets() {
		rs := decodeRuleset(h.t, raw)
		out[rs.Name] = rs
	}
	return out
}

func ruleTypes(rs branchprot.Ruleset) []string {
	var out []string
	for _, r := range rs.Rules {
		out = append(out, r.Type)
	}
	return out
}

func TestE2ESettingsRateLimitIsRetried(t *testing.T) {
	for name, op := range map[string]string{"pvr": "repos/enable-private-vulnerability-reporting", "ruleset": "repos/create-repo-ruleset"} {
		t.Run(name, func(t *testing.T) {
			files := workflowFiles()
			files[".github/hardener.yml"] = "remediations: {branch-protection: true}\nbranch-protection: {required-approvals: 1}\n"
			h := newHarness(t, files)
			h.fake.FailNext(op, 1, http.StatusForbidden, map[string]string{"Retry-After": "60"},
				`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
			job := intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: h.repo.Owner, Repo: h.repo.Name}
			err := h.worker.Run(ctxWithTestLogger(t), job)
			var re *intake.RetryError
			if !errors.As(err, &re) || re.After != time.Minute {
				t.Fatalf("err = %v, want a *intake.RetryError after 1m", err)
			}
			h.worker.clients = staticClients{h.fake.Client()}
			if err := h.worker.Run(ctxWithTestLogger(t), job); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if !h.repo.PVREnabled() || len(h.repo.Rulesets()) != 1 {
				t.Errorf("after the retry: pvr=%v rulesets=%d", h.repo.PVREnabled(), len(h.repo.Rulesets()))
			}
		})
	}
}
