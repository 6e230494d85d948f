package scorecard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// gateAtStart records whether importing the package replaced
// remote.DefaultTransport (it must not: only an in-process Run does).
var gateAtStart bool

// TestMain lets the test binary serve ChildCommand, as the hardener
// binary does, so that Sandbox tests run real child processes.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ChildCommand {
		os.Exit(ChildMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	gateAtStart = registryGate != nil
	os.Exit(m.Run())
}

// aliasBomb is a 600-byte workflow whose matrix expands to 10⁹ values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n")
	b.WriteString("        a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, k := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&b, "        %s: &%s [%s]\n", k, k, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", "))
		prev = k
	}
	b.WriteString("    steps:\n      - run: echo hi\n")
	return b.String()
}

// bombRepo is a checkout with the alias bomb beside an ordinary workflow.
func bombRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	wf := filepath.Join(dir, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"bomb.yml": aliasBomb(),
		"ci.yml":   "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(wf, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testSandbox() *Sandbox { return &Sandbox{Command: os.Args[0]} }

// TestHostileScorecardAliasBomb: the alias bomb never reaches Scorecard.
// The run (in a child, so that a regression costs the child, not the test
// machine) scores the rest of the checkout and lists the bomb as skipped.
func TestHostileScorecardAliasBomb(t *testing.T) {
	t.Parallel()
	if n := len(aliasBomb()); n > 700 {
		t.Fatalf("the bomb is %d bytes", n)
	}
	s := testSandbox()
	s.Memory, s.Timeout = 1<<30, time.Minute
	res, err := s.Run(context.Background(), bombRepo(t), FromBranch)
	if err != nil {
		t.Fatal(err)
	}
	// Our parser or the view's own alias budget refuses it, whichever
	// sees it first: either way it is listed, never scored.
	if len(res.Skipped) != 1 || res.Skipped[0].File != ".github/workflows/bomb.yml" ||
		!strings.Contains(res.Skipped[0].Reason, "alias expansion exceeds") {
		t.Errorf("Skipped = %+v, want bomb.yml refused for its alias expansion", res.Skipped)
	}
	if len(res.Unpinned) != 1 || res.Unpinned[0].Name != "actions/checkout" {
		t.Errorf("Unpinned = %+v, want ci.yml's checkout", res.Unpinned)
	}
	t.Logf("child: peak RSS %d MiB in %s", res.Process.PeakRSS>>20, res.Process.Duration.Round(time.Millisecond))
	if res.Process.PeakRSS > 512<<20 {
		t.Errorf("child peak RSS %d MiB", res.Process.PeakRSS>>20)
	}
}

// TestHostileScorecardBounds: were the bomb shown to Scorecard (the
// filter is off here), the child dies at its memory limit or is killed at
// its deadline, the parent gets a clear reason, and its own heap does not
// move.
func TestHostileScorecardBounds(t *testing.T) {
	t.Parallel()
	dir := bombRepo(t)
	tests := map[string]struct {
		memory  int64
		timeout time.Duration
		reason  string
	}{
		"memory": {512 << 20, time.Minute, "scorecard failed: over its memory limit of 512 MiB"},
		"time":   {3 << 30, time.Second, "scorecard failed: over its time limit of 1s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			s := testSandbox()
			s.Memory, s.Timeout = tc.memory, tc.timeout
			res, err := s.run(context.Background(), dir, false)
			if !errors.Is(err, ErrFailed) || !strings.HasPrefix(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want %q", err, tc.reason)
			}
			if res.Process == nil {
				t.Fatal("no process information")
			}
			t.Logf("%s: child peak RSS %d MiB, stopped after %s", err, res.Process.PeakRSS>>20, res.Process.Duration.Round(time.Millisecond))
			if res.Process.PeakRSS > tc.memory {
				t.Errorf("child peak RSS %d MiB over its limit", res.Process.PeakRSS>>20)
			}
			if res.Process.Duration > tc.timeout+10*time.Second {
				t.Errorf("child ran %s", res.Process.Duration)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if after.HeapInuse > before.HeapInuse+64<<20 {
				t.Errorf("parent heap grew from %d to %d MiB", before.HeapInuse>>20, after.HeapInuse>>20)
			}
		})
	}
}

// TestHostileScorecardPullRequestHead: a pull request's head is not scored
// unless the Sandbox allows it; no child is started.
func TestHostileScorecardPullRequestHead(t *testing.T) {
	t.Parallel()
	s := &Sandbox{Command: filepath.Join(t.TempDir(), "no-such-binary")}
	_, err := s.Run(context.Background(), "testdata/hardened", FromPullRequest)
	if !errors.Is(err, ErrSkipped) || !strings.HasPrefix(err.Error(), "scorecard skipped: ") {
		t.Fatalf("err = %v, want ErrSkipped", err)
	}
	allowed := testSandbox()
	allowed.PullRequests = true
	res, err := allowed.Run(context.Background(), "testdata/hardened", FromPullRequest)
	if err != nil || res.Scores["Token-Permissions"] != 10 {
		t.Fatalf("with PullRequests: %+v, %v", res.Scores, err)
	}
}

// TestSandboxAgreesWithRun: the child's result is the in-process one.
func TestSandboxAgreesWithRun(t *testing.T) {
	t.Parallel()
	got, err := testSandbox().Run(context.Background(), "testdata/weak", FromBranch)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(context.Background(), "testdata/weak")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Scores, got.Unpinned, got.Skipped) != fmt.Sprint(want.Scores, want.Unpinned, want.Skipped) {
		t.Errorf("sandbox %+v\nin process %+v", got, want)
	}
	if got.Process == nil || got.Process.PeakRSS == 0 {
		t.Errorf("Process = %+v", got.Process)
	}
}

// TestImportLeavesDefaultTransport: importing the package (as the App
// does) does not replace go-containerregistry's default transport.
func TestImportLeavesDefaultTransport(t *testing.T) {
	if gateAtStart {
		t.Error("remote.DefaultTransport was replaced at import")
	}
}
