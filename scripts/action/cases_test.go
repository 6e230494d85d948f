package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The released binary is downloaded, verified and run on the sample
// repository: SARIF for code scanning, a table in the job summary, and the
// job fails because the sample has findings.
func TestActionScansSampleWithRelease(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, hardenerBinary(t))
	r := newRunner(t, map[string]string{"version": testVersion, "scorecard": "true"},
		"HARDENER_RELEASE_URL="+rel.srv.URL, "CURL_CA_BUNDLE="+rel.caFile)
	// A hostile file name and workflow text must not break the table.
	hostile := filepath.Join(r.workspace, ".github", "workflows", "x|<img src=x>`y`.yml")
	if err := os.WriteFile(hostile, []byte("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: evil/act@main # | <b>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code := r.run()
	if code != 1 || r.failed != "Fail on findings" {
		t.Fatalf("exit %d at step %q, want 1 at the last step\n%s", code, r.failed, r.stderr.String())
	}
	if install := r.outputs["install"]["path"]; !strings.HasSuffix(install, filepath.Join("hardener-bin", "hardener")) {
		t.Errorf("binary installed at %q", install)
	}
	scan := r.outputs["scan"]
	if scan["exit-code"] != "1" || scan["findings"] == "0" || scan["findings"] == "" {
		t.Errorf("scan outputs %v", scan)
	}
	if r.uploaded == "" || r.uploaded != scan["sarif-file"] {
		t.Fatalf("upload-sarif got %q, scan wrote %q", r.uploaded, scan["sarif-file"])
	}
	if n := sarifResults(t, r.uploaded); n == 0 || scan["findings"] == "" {
		t.Errorf("SARIF has %d results", n)
	}
	summary, err := os.ReadFile(r.summary)
	if err != nil {
		t.Fatal(err)
	}
	s := string(summary)
	for _, want := range []string{
		"## Hardener", "| Severity | Rule | Where | Message |", "unpinned\\-uses",
		".github/workflows/x\\|\\<img src=x\\>\\`y\\`.yml", "OpenSSF Scorecard check", "the job fails",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// The template writes no <, > or backtick of its own: each one is from
	// the repository and must be escaped.
	if m := regexp.MustCompile("(^|[^\\\\])[<>`]").FindString(s); m != "" {
		t.Errorf("summary has an unescaped %q:\n%s", m, s)
	}
	if rows := strings.Count(s, "\n| "); rows < 5 {
		t.Errorf("only %d table rows:\n%s", rows, s)
	}
}

// A release whose checksum does not match is refused: nothing is
// installed and nothing is scanned.
func TestActionRefusesWrongChecksum(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, hardenerBinary(t))
	for name := range rel.files {
		if strings.HasSuffix(name, ".tar.gz") {
			rel.files[name] = append(rel.files[name], 0) // the archive changed after checksums.txt
		}
	}
	r := newRunner(t, map[string]string{"version": testVersion},
		"HARDENER_RELEASE_URL="+rel.srv.URL, "CURL_CA_BUNDLE="+rel.caFile)
	code := r.run()
	if code == 0 || r.failed != "Install hardener" || !strings.Contains(r.stderr.String(), "checksum mismatch") {
		t.Fatalf("exit %d at step %q:\n%s", code, r.failed, r.stderr.String())
	}
	if _, err := os.Stat(r.summary); err == nil {
		t.Error("a summary was written although nothing was installed")
	}
}

// A release without an entry for this runner's archive, and a server that
// is not trusted, are refused too.
func TestActionRefusesUnverifiableRelease(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, hardenerBinary(t))
	rel.files["checksums.txt"] = []byte("0000  something-else.tar.gz\n")
	r := newRunner(t, map[string]string{"version": testVersion},
		"HARDENER_RELEASE_URL="+rel.srv.URL, "CURL_CA_BUNDLE="+rel.caFile)
	if code := r.run(); code == 0 || !strings.Contains(r.stderr.String(), "has no entry for") {
		t.Errorf("missing checksum: exit %d\n%s", code, r.stderr.String())
	}
	rel2 := newRelease(t, hardenerBinary(t))
	r = newRunner(t, map[string]string{"version": testVersion}, "HARDENER_RELEASE_URL="+rel2.srv.URL)
	if code := r.run(); code == 0 || !strings.Contains(r.stderr.String(), "download failed") {
		t.Errorf("untrusted server: exit %d\n%s", code, r.stderr.String())
	}
	r = newRunner(t, map[string]string{"version": testVersion}, "HARDENER_RELEASE_URL="+strings.Replace(rel2.srv.URL, "https:", "http:", 1))
	if code := r.run(); code == 0 || !strings.Contains(r.stderr.String(), "download failed") {
		t.Errorf("plain http: exit %d\n%s", code, r.stderr.String())
	}
}

// Inputs that are not what the action accepts stop it with a message.
func TestActionRejectsBadInputs(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		inputs map[string]string
		want   string
	}{
		"latest":    {map[string]string{"version": "latest"}, "neither a release tag"},
		"short sha": {map[string]string{"version": "0123abc"}, "neither a release tag"},
		"fail-on":   {map[string]string{"version": testVersion, "fail-on": "critical"}, "fail-on must be"},
		"scorecard": {map[string]string{"version": testVersion, "scorecard": "yes"}, "scorecard must be"},
	}
	rel := newRelease(t, hardenerBinary(t))
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newRunner(t, tc.inputs, "HARDENER_RELEASE_URL="+rel.srv.URL, "CURL_CA_BUNDLE="+rel.caFile)
			if code := r.run(); code == 0 || !strings.Contains(r.stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr:\n%s", code, r.stderr.String())
			}
		})
	}
}

// With fail-on never the job passes, and the SARIF is still uploaded.
func TestActionFailOnNever(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, hardenerBinary(t))
	r := newRunner(t, map[string]string{"version": testVersion, "fail-on": "never", "scorecard": "false"},
		"HARDENER_RELEASE_URL="+rel.srv.URL, "CURL_CA_BUNDLE="+rel.caFile)
	if code := r.run(); code != 0 {
		t.Fatalf("exit %d at %q\n%s", code, r.failed, r.stderr.String())
	}
	if r.uploaded == "" || sarifResults(t, r.uploaded) == 0 {
		t.Error("SARIF not uploaded")
	}
	if s, _ := os.ReadFile(r.summary); strings.Contains(string(s), "OpenSSF Scorecard") || !strings.Contains(string(s), "none at or above never") {
		t.Errorf("summary:\n%s", s)
	}
}

// A commit SHA, or an action ref that is not a release, builds from the
// action's own source. A minimal stand-in tree keeps the build fast; the
// script only needs Hardener's module path and cmd/hardener.
func TestActionBuildsFromSource(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(src, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module github.com/hardener/hardener\n\ngo 1.22\n")
	install, err := os.ReadFile(filepath.Join(root, "scripts", "action", "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	write("scripts/action/install.sh", string(install))
	write("cmd/hardener/main.go", `package main

import (
	"fmt"
	"os"
)

var buildVersion, buildCommit string

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("hardener %s\ncommit: %s\n", buildVersion, buildCommit)
		return
	}
	fmt.Println("{\"version\": 1, \"findings\": [], \"errors\": []}")
}
`)
	const sha = "89abcdef0123456789abcdef0123456789abcdef"
	for name, tc := range map[string]struct{ version, ref, want string }{
		"pinned commit": {sha, sha, "hardener " + sha},
		"branch ref":    {"", "main", "hardener main"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRunner(t, map[string]string{"version": tc.version, "upload-sarif": "false", "scorecard": "false"})
			r.env = append(r.env, "GITHUB_ACTION_PATH="+src, "GITHUB_ACTION_REF="+tc.ref)
			r.action.Runs.Steps = r.action.Runs.Steps[:1] // install only: the stand-in cannot scan
			if code := r.run(); code != 0 {
				t.Fatalf("exit %d\n%s", code, r.stderr.String())
			}
			out, err := exec.Command(r.outputs["install"]["path"], "version").Output()
			if err != nil || !strings.Contains(string(out), tc.want) {
				t.Errorf("built binary says %q (%v)", out, err)
			}
		})
	}
	// A commit other than the action's own is not built from the action's
	// files: it needs the module proxy, which this test has not.
	r := newRunner(t, map[string]string{"version": sha})
	r.env = append(r.env, "GITHUB_ACTION_PATH="+src, "GITHUB_ACTION_REF=v1.0.0")
	r.action.Runs.Steps = r.action.Runs.Steps[:1]
	if code := r.run(); code == 0 || !strings.Contains(r.stderr.String(), "go install") {
		t.Errorf("exit %d\n%s", code, r.stderr.String())
	}
}
