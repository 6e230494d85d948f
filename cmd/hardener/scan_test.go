package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const sample = "../../examples/insecure"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestScanJSONShape(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "scan", "--format", "json", sample)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings); stderr: %s", code, stderr)
	}
	var doc struct {
		Version  int                        `json:"version"`
		Findings []map[string]any           `json:"findings"`
		Errors   []map[string]any           `json:"errors"`
		Score    map[string]int             `json:"scorecard"`
		Rest     map[string]json.RawMessage `json:"-"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || len(doc.Findings) == 0 || doc.Errors == nil {
		t.Fatalf("unexpected document: version %d, %d findings, errors %v", doc.Version, len(doc.Findings), doc.Errors)
	}
	for _, f := range doc.Findings {
		for _, k := range []string{"rule", "severity", "file", "line", "column", "message", "remediation"} {
			if _, ok := f[k]; !ok {
				t.Fatalf("finding lacks %q: %v", k, f)
			}
		}
		if strings.Contains(f["file"].(string), `\`) || strings.HasPrefix(f["file"].(string), "/") {
			t.Errorf("file %q is not relative with / separators", f["file"])
		}
	}
	if doc.Score["Pinned-Dependencies"] == 0 && doc.Score["Token-Permissions"] == 0 && len(doc.Score) == 0 {
		t.Error("no Scorecard scores in the JSON")
	}
	// The first finding of the sample is at an exact place.
	first := doc.Findings[0]
	if first["file"] != ".github/actions/setup-toolchain/action.yml" || first["line"] != 6.0 || first["column"] != 13.0 {
		t.Errorf("first finding at %v:%v:%v", first["file"], first["line"], first["column"])
	}
}

func TestScanSARIFValidates(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "scan", "--format", "sarif", "--scorecard=false", sample)
	if code != 1 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	f, err := os.Open("../../internal/report/testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://hardener.invalid/sarif.json"
	if err := c.AddResource(url, schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	if !strings.Contains(out, `"ruleId": "template-injection"`) && !strings.Contains(out, `"ruleId":"template-injection"`) {
		t.Error("SARIF lacks the template-injection results")
	}
}

func TestScanExitCodes(t *testing.T) {
	t.Parallel()
	clean := t.TempDir()
	wf := filepath.Join(clean, ".github", "workflows")
	if err := os.MkdirAll(wf, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(clean, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".github/workflows/ci.yml", "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n")
	write("SECURITY.md", "Report vulnerabilities privately.\n")
	write(".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n")
	tests := map[string]struct {
		args []string
		want int
	}{
		"clean":                  {[]string{"scan", "--scorecard=false", clean}, 0},
		"findings":               {[]string{"scan", "--scorecard=false", sample}, 1},
		"findings below fail-on": {[]string{"scan", "--scorecard=false", "--fail-on", "never", sample}, 0},
		"missing dir":            {[]string{"scan", filepath.Join(clean, "nope")}, 2},
		"bad format":             {[]string{"scan", "--format", "xml", clean}, 2},
		"bad fail-on":            {[]string{"scan", "--fail-on", "critical", clean}, 2},
		"unknown command":        {[]string{"scna"}, 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if code, _, stderr := runCLI(t, tc.args...); code != tc.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.want, stderr)
			}
		})
	}
}

func TestScanInvalidConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".github", "hardener.yml"), []byte("mode: loud\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "scan", "--scorecard=false", dir)
	if code != 2 || !strings.Contains(stderr, "hardener.yml:1") {
		t.Fatalf("exit %d, stderr %q: want 2 and the file:line of the error", code, stderr)
	}
}

// TestScanConfigApplies: `exempt` and `paths-ignore` from
// .github/hardener.yml change what the scan reports.
func TestScanConfigApplies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		".github/workflows/ci.yml": "on: push\npermissions: {contents: read}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: acme/tool@v1\n",
		"vendor/x/action.yml":      "runs:\n  using: composite\n  steps:\n    - uses: evil/thing@main\n",
	}
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ := runCLI(t, "scan", "--format", "json", "--scorecard=false", dir)
	if !strings.Contains(out, "acme/tool@v1") || strings.Contains(out, "evil/thing") {
		t.Fatalf("defaults: acme/tool must be reported and vendor/ ignored:\n%s", out)
	}
	cfg := filepath.Join(dir, "custom.yml")
	if err := os.WriteFile(cfg, []byte("exempt: [acme/*]\npaths-ignore: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "scan", "--format", "json", "--scorecard=false", "--config", cfg, dir)
	if strings.Contains(out, "acme/tool@v1") || !strings.Contains(out, "evil/thing@main") {
		t.Fatalf("with exempt acme/* and no ignored paths:\n%s", out)
	}
}
