// Package boundaries tests the import rules of docs/architecture.md: one
// test per rule, over `go list` of the whole module (list_test.go).
package boundaries

import (
	"slices"
	"strings"
	"testing"
)

// TestWebhookFunctionStaysLight: the webhook function must answer GitHub
// within 10 s from a cold start, so it links only the intake, not the
// scanners (Scorecard alone makes the worker binary seven times larger).
func TestWebhookFunctionStaysLight(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return p == "lambda/webhook" },
		func(d string) bool { return d == "app" || under(d, "checks", "remediations") },
		"the webhook function verifies, routes and queues")
	for _, p := range packages(t) {
		if p.path != "lambda/webhook" {
			continue
		}
		for _, d := range p.external {
			if strings.HasPrefix(d, "github.com/ossf/scorecard") {
				t.Errorf("lambda/webhook links %s: the webhook function verifies, routes and queues", d)
			}
		}
	}
}

func TestChecksOnlyFind(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "checks") },
		func(d string) bool {
			return under(d, "app", "remediations", "cmd", "lambda", "internal/config", "internal/report")
		},
		"checks find and know nothing of fixing, configuration, output or the App")
}

func TestRemediationsArePure(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "remediations") },
		func(d string) bool { return under(d, "app", "cmd", "lambda", "internal/report") },
		"remediations turn a snapshot into file changes; the App acts on GitHub")
}

func TestInternalIsBelowTheProduct(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "internal") },
		func(d string) bool { return under(d, "app", "cmd", "lambda", "remediations") },
		"internal packages are building blocks for checks, remediations and the App")
}

func TestOnlyEdgesUseTheApp(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return !under(p, "app", "cmd", "lambda") },
		func(d string) bool { return under(d, "app") },
		"only the command line and the Lambda functions build on the App")
	forbid(t, func(p string) bool { return under(p, "app") && p != "app" },
		func(d string) bool { return d == "app" },
		"the App's sub-packages are below the worker")
}

func TestIntakeStaysLight(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "app/intake") },
		func(d string) bool {
			return under(d, "app/ghclient", "app/snapshot", "checks", "remediations", "internal/config", "internal/report",
				"internal/resolve", "internal/registry", "internal/workflow", "internal/knowledge")
		},
		"webhook intake verifies, routes and queues; it must start fast")
}

func TestGitHubClientKnowsNoScanning(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "app/ghclient") },
		func(d string) bool { return under(d, "app/snapshot", "checks", "remediations", "internal") },
		"client creation, pacing and redaction do not depend on what the jobs do")
}

func TestSnapshotDoesNotFix(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "app/snapshot") },
		func(d string) bool { return under(d, "remediations") },
		"a snapshot is what the App saw; fixing it is the remediations' job")
}

// TestLambdaOnlyAdaptsEvents: the Lambda functions import the App and
// their own adapters, nothing that scans or fixes.
func TestLambdaOnlyAdaptsEvents(t *testing.T) {
	t.Parallel()
	allowed := []string{"app", "app/intake", "app/ghclient", "app/metrics"}
	checked := 0
	for _, p := range packages(t) {
		if !under(p.path, "lambda") {
			continue
		}
		checked++
		for _, i := range p.imports {
			if !slices.Contains(allowed, i) && !under(i, "lambda") {
				t.Errorf("%s imports %s: a Lambda function turns events into calls of the App", p.path, i)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no lambda package")
	}
}

// TestDashboardAndMetricsOnlyReport: the dashboard is drawn from what the
// jobs left in their check runs and pull requests, and every part of the
// App records measurements, so neither scans, fixes nor reads snapshots.
func TestDashboardAndMetricsOnlyReport(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "app/dashboard", "app/metrics") },
		func(d string) bool { return under(d, "remediations", "app/snapshot", "checks/scorecard") },
		"the dashboard and the metrics report what jobs did; they do not scan or fix")
	// internal/config links checks (fail-on, remediation IDs): the rule is
	// on what the dashboard itself imports.
	forbidImports(t, func(p string) bool { return under(p, "app/dashboard") },
		func(d string) bool { return under(d, "checks") },
		"the dashboard counts findings from the report a job left, not from the scanners")
	forbid(t, func(p string) bool { return under(p, "app/metrics") },
		func(d string) bool { return d != "app/intake" },
		"every part of the App may measure, so measuring builds on nothing but intake's context")
}

// TestSharedAnswersStandAlone: a rule and the remediation that fixes its
// findings ask these packages the same question (is this place
// suppressed? does Dependabot already cover this directory?), so that
// `fix` never changes what the scan left alone or adds what it did not
// ask for. The answer must not depend on either side.
func TestSharedAnswersStandAlone(t *testing.T) {
	t.Parallel()
	forbid(t, func(p string) bool { return under(p, "internal/suppress", "internal/updates") },
		func(d string) bool {
			return under(d, "checks", "remediations", "app", "cmd", "lambda", "internal/config")
		},
		"rules and remediations read one answer that neither of them shapes")
}

// testSupport are the packages that exist for tests: fakes of GitHub and
// AWS, golden files, the simulated clock, the Lambda emulator runner.
// .ci/run's deadcode step names the same list.
var testSupport = []string{
	"internal/githubfake", "internal/golden", "internal/simclock",
	"lambda/internal/sqsfake", "lambda/internal/dynamofake", "lambda/internal/secretsfake", "lambda/internal/emulator",
}

// TestTestSupportStaysInTests: no program links a fake, the golden-file
// helper, the simulated clock or a script. `go list`'s Deps leave out what
// only _test.go files import, so any link found here is in shipped code.
func TestTestSupportStaysInTests(t *testing.T) {
	t.Parallel()
	listedPaths := map[string]bool{}
	for _, p := range packages(t) {
		listedPaths[p.path] = true
	}
	for _, s := range testSupport {
		if !listedPaths[s] {
			t.Errorf("test-support package %s does not exist: update the list here and in .ci/run", s)
		}
	}
	isSupport := func(p string) bool { return slices.Contains(testSupport, p) }
	forbid(t, func(p string) bool { return !isSupport(p) },
		isSupport, "test support is imported by _test.go files only")
	forbid(t, func(p string) bool { return true },
		func(d string) bool { return under(d, "scripts") },
		"scripts are programs of their own (the Action's steps, data regeneration), not libraries")
}
