package scorecard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestRunWeak(t *testing.T) {
	t.Parallel()
	before := offline().refused.Load()
	res, err := Run(context.Background(), "testdata/weak")
	if err != nil {
		t.Fatal(err)
	}
	wantScores := map[string]int{
		"Pinned-Dependencies":    0,
		"Token-Permissions":      0,
		"Dangerous-Workflow":     10,
		"Security-Policy":        0,
		"Binary-Artifacts":       10,
		"Dependency-Update-Tool": 0,
	}
	checkScores(t, res, wantScores)

	want := []Dependency{
		{File: ".github/workflows/ci.yml", Line: 7, Name: "actions/checkout", Ref: "v4", Type: "GitHubAction"},
		{File: ".github/workflows/ci.yml", Line: 8, Name: "actions/setup-go", Ref: "v5", Type: "GitHubAction"},
		{File: ".github/workflows/ci.yml", Line: 14, Name: "octo-org/shared/.github/workflows/release.yml", Ref: "main", Type: "GitHubAction"},
		{File: ".github/workflows/lint.yml", Line: 10, Name: "docker://alpine:3.20", Type: "GitHubAction"},
		{File: ".github/workflows/lint.yml", Line: 13, Name: "golangci/golangci-lint-action", Ref: "v6", Type: "GitHubAction"},
		{File: "Dockerfile", Line: 1, Name: "golang", Ref: "1.22", Type: "containerImage"},
		{File: "Dockerfile", Line: 6, Name: "gcr.io/distroless/static", Type: "containerImage"},
	}
	if !reflect.DeepEqual(res.Unpinned, want) {
		t.Errorf("Unpinned:\n got %+v\nwant %+v", res.Unpinned, want)
	}
	// Scorecard tried to look up the digests of the unpinned images and
	// the gate refused the connections. Other tests may run in parallel,
	// so only a lower bound holds.
	if got := offline().refused.Load() - before; got < 2 {
		t.Errorf("registry dials refused = %d, want ≥ 2 (one per unpinned image)", got)
	}
}

func TestRunHardened(t *testing.T) {
	t.Parallel()
	res, err := Run(context.Background(), "testdata/hardened")
	if err != nil {
		t.Fatal(err)
	}
	checkScores(t, res, map[string]int{
		"Pinned-Dependencies":    10,
		"Token-Permissions":      10,
		"Dangerous-Workflow":     10,
		"Security-Policy":        10,
		"Binary-Artifacts":       10,
		"Dependency-Update-Tool": 10,
	})
	if len(res.Unpinned) != 0 {
		t.Errorf("Unpinned = %+v, want none", res.Unpinned)
	}
}

func TestRunEmptyRepo(t *testing.T) {
	t.Parallel()
	res, err := Run(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// With nothing to look at, the workflow checks cannot decide.
	checkScores(t, res, map[string]int{
		"Pinned-Dependencies":    Inconclusive,
		"Token-Permissions":      Inconclusive,
		"Dangerous-Workflow":     Inconclusive,
		"Security-Policy":        0,
		"Binary-Artifacts":       10,
		"Dependency-Update-Tool": 0,
	})
}

func TestRunSecurityPolicyContent(t *testing.T) {
	t.Parallel()
	// Scorecard scores the policy by what it contains: 6 for a link or an
	// email, 3 for enough free text, 1 for disclosure/vulnerability words.
	tests := map[string]struct {
		body string
		want int
	}{
		"empty":      {"", 0},
		"link only":  {"https://example.com/report\n", 6},
		"email only": {"security@example.com\n", 6},
		"full": {"Report a vulnerability to security@example.com.\n" +
			"We answer within 3 days and follow coordinated disclosure.\n", 10},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "SECURITY.md"), []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Scores["Security-Policy"]; got != tc.want {
				t.Errorf("Security-Policy = %d (%s), want %d", got, res.Reasons["Security-Policy"], tc.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), file); !errors.Is(err, ErrNotDir) {
		t.Errorf("Run(file) error = %v, want ErrNotDir", err)
	}
	if _, err := Run(context.Background(), filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Run(missing) error = %v, want ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, "testdata/hardened"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestChecksAllHaveFunctions(t *testing.T) {
	t.Parallel()
	if len(checkFns) != len(Checks) {
		t.Fatalf("%d functions for %d checks", len(checkFns), len(Checks))
	}
	for _, c := range Checks {
		if checkFns[c] == nil {
			t.Errorf("no function for %s", c)
		}
	}
}

func checkScores(t *testing.T, res Result, want map[string]int) {
	t.Helper()
	for _, c := range Checks {
		if res.Scores[c] != want[c] {
			t.Errorf("%s = %d (%s), want %d", c, res.Scores[c], res.Reasons[c], want[c])
		}
		if res.Reasons[c] == "" {
			t.Errorf("%s has no reason", c)
		}
	}
}

func BenchmarkRun(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		if _, err := Run(ctx, "testdata/bench"); err != nil {
			b.Fatal(err)
		}
	}
}
