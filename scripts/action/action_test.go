// Package action tests the composite GitHub Action in action.yml: its shell
// steps run as a runner would run them, against the sample repository, with
// a locally built hardener served as the release.
package action

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository: the action's own files.
var root, _ = filepath.Abs(filepath.Join("..", ".."))

const testVersion = "v9.8.7"

type step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

func loadAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	return a
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// hardenerBinary builds cmd/hardener once, stamped as testVersion.
func hardenerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hardener-action-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "hardener"+exeSuffix())
		cmd := exec.Command("go", "build", "-ldflags", "-s -w -X main.buildVersion="+testVersion+" -X main.buildCommit=0123456789abcdef0123456789abcdef01234567", "-o", builtBin, "./cmd/hardener")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

func runnerOS(t *testing.T) (string, string) {
	t.Helper()
	osName := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("no GitHub runner looks like %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return osName, arch
}

// release is a fake GitHub release server: files under /<tag>/ over TLS.
type release struct {
	srv    *httptest.Server
	caFile string
	files  map[string][]byte
}

var (
	archiveOnce sync.Once
	archiveData []byte
	archiveErr  error
)

// releaseArchive packs the binary as GoReleaser does (once per test run).
func releaseArchive(t *testing.T, bin string) []byte {
	t.Helper()
	archiveOnce.Do(func() {
		b, err := os.ReadFile(bin)
		if err != nil {
			archiveErr = err
			return
		}
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		tw := tar.NewWriter(gz)
		for _, f := range []struct {
			name string
			data []byte
		}{{"LICENSE", []byte("license\n")}, {"hardener", b}} {
			if archiveErr = tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.data))}); archiveErr != nil {
				return
			}
			if _, archiveErr = tw.Write(f.data); archiveErr != nil {
				return
			}
		}
		if archiveErr = tw.Close(); archiveErr == nil {
			archiveErr = gz.Close()
		}
		archiveData = buf.Bytes()
	})
	if archiveErr != nil {
		t.Fatal(archiveErr)
	}
	return bytes.Clone(archiveData)
}

func newRelease(t *testing.T, bin string) *release {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(releaseArchive(t, bin))
	archive := fmt.Sprintf("hardener_%s_%s_%s.tar.gz", strings.TrimPrefix(testVersion, "v"), runtime.GOOS, runtime.GOARCH)
	sum := sha256.Sum256(buf.Bytes())
	r := &release{files: map[string][]byte{
		archive: buf.Bytes(),
		"checksums.txt": []byte(fmt.Sprintf("%064x  hardener_%s_other_os.tar.gz\n%s  %s\n",
			0, strings.TrimPrefix(testVersion, "v"), hex.EncodeToString(sum[:]), archive)),
	}}
	var mu sync.Mutex
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		name, ok := strings.CutPrefix(req.URL.Path, "/"+testVersion+"/")
		data, found := r.files[name]
		if !ok || !found {
			http.NotFound(w, req)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(r.srv.Close)
	r.caFile = filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	if err := os.WriteFile(r.caFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// runner runs the action's steps the way the Actions runner does, for
// the expressions and conditions action.yml uses.
type runner struct {
	t         *testing.T
	action    actionFile
	inputs    map[string]string
	env       []string
	workspace string
	summary   string
	outputs   map[string]map[string]string
	uploaded  string // sarif_file given to upload-sarif
	failed    string // the step that failed, if any
	stderr    bytes.Buffer
}

func newRunner(t *testing.T, inputs map[string]string, extraEnv ...string) *runner {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (GitHub's runners have it)", tool)
		}
	}
	osName, arch := runnerOS(t)
	a := loadAction(t)
	in := map[string]string{}
	for k, v := range a.Inputs {
		in[k] = v.Default
	}
	for k, v := range inputs {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("action.yml has no input %q", k)
		}
		in[k] = v
	}
	tmp := t.TempDir()
	ws := filepath.Join(tmp, "workspace")
	copyDir(t, filepath.Join(root, "examples", "insecure"), ws)
	r := &runner{t: t, action: a, inputs: in, workspace: ws, summary: filepath.Join(tmp, "summary.md"),
		outputs: map[string]map[string]string{}}
	runnerTemp := filepath.Join(tmp, "runner-temp")
	if err := os.Mkdir(runnerTemp, 0o755); err != nil {
		t.Fatal(err)
	}
	r.env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=" + os.Getenv("GOTOOLCHAIN"), "GOPROXY=off",
		"RUNNER_OS=" + osName, "RUNNER_ARCH=" + arch, "RUNNER_TEMP=" + runnerTemp,
		"GITHUB_WORKSPACE=" + ws, "GITHUB_STEP_SUMMARY=" + r.summary,
		"GITHUB_ACTION_PATH=" + root, "GITHUB_ACTION_REF=" + testVersion,
		"NO_COLOR=1",
	}, extraEnv...)
	return r
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// eval resolves the expressions action.yml uses; any other fails the test,
// so the test cannot silently skip what the runner would do.
func (r *runner) eval(s string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := strings.TrimSpace(expr.FindStringSubmatch(m)[1])
		switch {
		case strings.HasPrefix(e, "inputs."):
			v, ok := r.inputs[strings.TrimPrefix(e, "inputs.")]
			if !ok {
				r.t.Fatalf("unknown input in %s", m)
			}
			return v
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".")
			if len(parts) != 4 || parts[2] != "outputs" {
				r.t.Fatalf("unsupported expression %s", m)
			}
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("unsupported expression %s", m)
		return ""
	})
}

var condition = regexp.MustCompile(`^(inputs\.[a-z-]+|steps\.[a-z-]+\.outputs\.[a-z-]+) (==|!=) '([^']*)'$`)

func (r *runner) cond(c string) bool {
	if c == "" {
		return r.failed == ""
	}
	m := condition.FindStringSubmatch(c)
	if m == nil {
		r.t.Fatalf("unsupported condition %q", c)
	}
	v := r.eval("${{ " + m[1] + " }}")
	return r.failed == "" && (v == m[3]) == (m[2] == "==")
}

// run runs every step; it returns the exit status of the first failing
// shell step (0 when none failed).
func (r *runner) run() int {
	for i, s := range r.action.Runs.Steps {
		if !r.cond(s.If) {
			continue
		}
		if s.Uses != "" {
			if !strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				r.t.Fatalf("unexpected action %s", s.Uses)
			}
			r.uploaded = r.eval(s.With["sarif_file"])
			continue
		}
		out := filepath.Join(filepath.Dir(r.summary), fmt.Sprintf("output-%d", i))
		env := append([]string{"GITHUB_OUTPUT=" + out}, r.env...)
		for k, v := range s.Env {
			env = append(env, k+"="+r.eval(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", r.eval(s.Run))
		cmd.Dir, cmd.Env = r.workspace, env
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &r.stderr
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			r.t.Fatal(err)
		}
		err := cmd.Run()
		if s.ID != "" {
			r.outputs[s.ID] = readOutputs(r.t, out)
		}
		if err != nil {
			r.failed = s.Name
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode()
			}
			r.t.Fatal(err)
		}
	}
	return 0
}

func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func sarifResults(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 report (%v): %.200s", err, b)
	}
	return len(doc.Runs[0].Results)
}
