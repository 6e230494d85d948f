package app

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// logCapture keeps every line the tests' loggers write (testWriter) while
// TestHostileLogsCarryNoSecrets runs.
var logCapture capture

type capture struct {
	mu  sync.Mutex
	on  bool
	buf bytes.Buffer
}

func (c *capture) write(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.buf.Write(p)
		c.buf.WriteByte('\n')
	}
}

func (c *capture) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = true
	c.buf.Reset()
}

func (c *capture) stop() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.buf.String()
}

// secretsInLogs are what must never be written: a link's token, an
// installation token, a private key, a JWT.
var secretsInLogs = regexp.MustCompile(`token=|ghs_|-----BEGIN|eyJ[A-Za-z0-9_-]{4,}`)

// flakyDownload fails the first n tarball downloads with 503, as codeload
// does under load; the error must not quote the link and its token.
type flakyDownload struct{ left atomic.Int32 }

func (f *flakyDownload) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.left.Add(-1) >= 0 {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Request: r,
			Header: http.Header{}, Body: io.NopCloser(strings.NewReader("busy"))}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func failingDownloads(n int32) *http.Client {
	f := &flakyDownload{}
	f.left.Store(n)
	return &http.Client{Transport: f}
}

// The App's jobs end in errors that quote download links (with their
// token) and run with installation tokens and JWTs: nothing of them may
// reach a log. Every end-to-end scenario of this package runs here with
// its log lines kept, plus jobs that fail on the download, with the real
// authenticating clients, and the whole output is searched.
func TestHostileLogsCarryNoSecrets(t *testing.T) {
	logCapture.start()
	defer logCapture.stop()
	scenarios := map[string]func(*testing.T){
		"install":                    TestE2EInstallOpensCheckRunAndPR,
		"rescan":                     TestE2ERescanUnchangedIsCheap,
		"pr check":                   TestE2EPullRequestCheckJudgesIntroducedFindings,
		"annotations":                TestE2EManyAnnotationsAreBatched,
		"check suite":                TestE2ECheckSuiteAndRequestedAction,
		"uninstall":                  TestE2EUninstallClosesThePR,
		"advisory":                   TestE2EExploitableFindingsGoToAnAdvisory,
		"closed pr":                  TestE2EClosedPRIsNotRecreated,
		"human commit":               TestE2EHumanCommitIsNotOverwritten,
		"pr updated":                 TestE2EOpenPRIsUpdatedWhenFixesChange,
		"report mode":                TestE2EReportModeOpensNoPR,
		"invalid config":             TestE2EInvalidConfigFailsTheCheck,
		"invalid org config":         TestE2EInvalidOrgConfigFailsTheCheck,
		"org opt-out":                TestE2EOrgOptOutClosesThePR,
		"rate limit":                 TestE2ERateLimitIsRetried,
		"workflows permission":       TestE2EWorkflowsPermissionRefused,
		"archived and empty":         TestE2EArchivedAndEmptyAreSkipped,
		"export-ignore":              TestE2EExportIgnoreIsSeenThrough,
		"export-ignored renovate":    TestE2EExportIgnoredRenovateConfigIsSeen,
		"branch protection":          TestE2EBranchProtectionProposedAppliedAndDrift,
		"org ruleset":                TestE2EBranchProtectionOrgRulesetCounts,
		"classic protection":         TestE2EBranchProtectionClassicFallback,
		"protection not permitted":   TestE2EBranchProtectionNotPermitted,
		"vulnerability reporting":    TestE2EPrivateVulnerabilityReporting,
		"settings rate limit":        TestE2ESettingsRateLimitIsRetried,
		"hidden workflow":            TestHostileGitattributesHidesWorkflow,
		"hidden in truncated tree":   TestHostileGitattributesHidesWorkflowInTruncatedTree,
		"too many hidden":            TestHostileTooManyHiddenWorkflows,
		"fork re-run":                TestHostileRerunForkPR,
		"fork re-run, no prior run":  TestHostileRerunForkPRWithoutPriorRun,
		"suppression added":          TestHostileSuppressionAddedByPR,
		"impersonated commit":        TestHostileImpersonatedCommit,
		"foreign check run":          TestHostileForeignCheckRunNamedHardener,
		"required check bound":       TestHostileRequiredCheckBoundToApp,
		"markdown injection":         TestHostileMarkdownInjection,
		"report mode writes":         TestHostileReportModeWritesOnlyCheckRuns,
		"branch name in path":        TestHostileBranchNameInPath,
		"download fails":             downloadFailsScenario,
		"real clients, codeload 503": realClientsScenario,
	}
	for name, run := range scenarios {
		t.Run(name, run)
	}
	out := logCapture.stop()
	if len(out) < 10_000 {
		t.Fatalf("only %d bytes of logs captured: the capture is not wired", len(out))
	}
	for _, line := range strings.Split(out, "\n") {
		if secretsInLogs.MatchString(line) {
			t.Errorf("secret in a log line: %s", line)
		}
	}
	t.Logf("%d bytes of log lines searched", len(out))
}

// downloadFailsScenario: the tarball download answers 503; the job is
// retried and its error logged.
func downloadFailsScenario(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.worker.fetcher.Download = failingDownloads(1)
	h.deliver("installation", "dl-1", h.payload("installation", "created", nil))
	// A server error is not a pause: the job fails and its queue retries
	// it with back-off.
	errs := h.runJobs()
	if len(errs) != 1 || ghclient.IsPark(errs[0]) {
		t.Fatalf("errors = %v, want one failure to retry", errs)
	}
	if !strings.Contains(errs[0].Error(), "503") {
		t.Errorf("the error does not say what failed: %v", errs[0])
	}
}

// realClientsScenario runs jobs with the App's own clients (JWT, then
// installation tokens) against a fake that checks them, the first
// download failing.
func realClientsScenario(t *testing.T) {
	f := githubfake.New(t, githubfake.RequireAuth())
	r := f.AddRepo("octo-org", "hello", workflowFiles())
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clients.SetWriteRate(0)
	w := NewWorker(clients, nil, WorkerOptions{Download: failingDownloads(1)})
	ctx := ctxWithTestLogger(t)
	log := intake.LoggerFrom(ctx)
	job := intake.Job{Kind: intake.JobInstall, InstallationID: 1, Owner: "octo-org", Repo: "hello", RepoID: r.ID}
	for attempt := range 2 {
		if err := w.Run(ctx, job); err != nil {
			log.Error("job failed", "attempt", attempt, "err", err)
		}
	}
	if len(r.CheckRuns()) != 1 {
		t.Fatalf("check runs = %d after the retry, want 1", len(r.CheckRuns()))
	}
}
