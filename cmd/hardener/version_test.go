package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const sha = "0123456789abcdef0123456789abcdef01234567"
	tests := map[string]struct {
		ldVersion, ldCommit string
		bi                  *debug.BuildInfo
		version, commit     string
	}{
		"release build (goreleaser ldflags)": {ldVersion: "v1.4.0", ldCommit: sha,
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			version: "v1.4.0", commit: sha},
		"go install …@v1.2.3 (module zip, no VCS)": {
			bi:      &debug.BuildInfo{Main: debug.Module{Path: "github.com/hardener/hardener", Version: "v1.2.3"}},
			version: "v1.2.3", commit: "unknown"},
		"go install …@<commit> (pseudo-version)": {
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab"}},
			version: "v0.0.0-20250102030405-0123456789ab", commit: "0123456789ab"},
		"pseudo-version after a tag": {
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20250102030405-abcdefabcdef"}},
			version: "v1.2.4-0.20250102030405-abcdefabcdef", commit: "abcdefabcdef"},
		"go build in a clean checkout": {
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(sha, "false")},
			version: "dev", commit: sha},
		"go build with local changes": {
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(sha, "true")},
			version: "dev", commit: sha + "-dirty"},
		"go 1.24+ stamps a checkout's tag as the main version": {
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}, Settings: vcs(sha, "false")},
			version: "v1.3.0", commit: sha},
		"no build information at all": {version: "dev", commit: "unknown"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, c := describe(tc.ldVersion, tc.ldCommit, tc.bi)
			if v != tc.version || c != tc.commit {
				t.Errorf("describe = %q, %q; want %q, %q", v, c, tc.version, tc.commit)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{arg}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d, stderr %s", arg, code, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 3 || lines[0] != "hardener "+version || lines[1] != "commit: "+commit || !strings.HasPrefix(lines[2], "go: go") {
			t.Errorf("%s printed %q", arg, out.String())
		}
	}
}

// `go install github.com/hardener/hardener/cmd/hardener@vX` refuses a
// main module whose go.mod has replace or exclude directives.
func TestGoInstallable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "replace" || f[0] == "exclude") {
			t.Errorf("go.mod:%d: %q stops `go install …@version`", i+1, l)
		}
		if len(f) > 0 && f[0] == "module" && f[1] != "github.com/hardener/hardener" {
			t.Errorf("module path %q: go install github.com/hardener/hardener/cmd/hardener would not find it", f[1])
		}
	}
}
