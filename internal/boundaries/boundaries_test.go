// Package boundaries tests the import rules of docs/architecture.md: one
// test per rule, over `go list` of the whole module.
package boundaries

import (
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/hardener/hardener"

// pkg is one package of the module: its direct imports and everything it
// links, both as paths relative to the module ("app/intake"), other
// modules' packages left out.
type pkg struct {
	path    string
	imports []string
	deps    []string
}

var (
	listOnce sync.Once
	listed   []pkg
	listErr  error
)

func packages(t *testing.T) []pkg {
	t.Helper()
	listOnce.Do(func() {
		out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", module+"/...").CombinedOutput()
		if err != nil {
			listErr = err
			listed = []pkg{{path: string(out)}}
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(line, "|")
			listed = append(listed, pkg{path: ours(f[0]), imports: oursOnly(f[1]), deps: oursOnly(f[2])})
		}
	})
	if listErr != nil {
		t.Fatalf("go list: %v\n%s", listErr, listed[0].path)
	}
	return listed
}

func ours(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func oursOnly(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p == module || strings.HasPrefix(p, module+"/") {
			out = append(out, ours(p))
		}
	}
	return out
}

// under reports whether p is dir or below it.
func under(p string, dirs ...string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// forbid fails for every package matching which that links a package
// matching banned.
func forbid(t *testing.T, which, banned func(string) bool, why string) {
	t.Helper()
	checked := 0
	for _, p := range packages(t) {
		if !which(p.path) {
			continue
		}
		checked++
		for _, d := range p.deps {
			if banned(d) {
				t.Errorf("%s links %s: %s", p.path, d, why)
			}
		}
	}
	if checked == 0 {
		t.Fatal("the rule matches no package")
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
	forbid(t, func(p string) bool { return under(p, "app/intake", "app/ghclient", "app/snapshot") },
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
