package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hardener/hardener/checks"
)

func sampleRules() []RuleInfo {
	return []RuleInfo{
		{ID: "unpinned-uses", Name: "UnpinnedUses", Short: "Action not pinned to a commit SHA",
			Help:     "A tag can be moved to other code.\n\nPin `uses:` to a full commit SHA with a version comment.",
			HelpURI:  "https://github.com/hardener/hardener/blob/main/docs/rules/unpinned-uses.md",
			Severity: checks.High},
		{ID: "unpinned-image", Name: "UnpinnedImage", Short: "Container image not pinned to a digest",
			Help: "Add the image's index digest.", Severity: checks.Medium},
		{ID: "template-injection", Name: "TemplateInjection", Short: "Untrusted input expanded into a script",
			Help: "Pass the value through an environment variable.", Severity: checks.High},
		{ID: "excessive-permissions", Name: "ExcessivePermissions", Short: "Token permissions wider than needed",
			Help: "Declare least-privilege permissions.", Severity: checks.Medium},
		{ID: "missing-security-policy", Name: "MissingSecurityPolicy", Short: "No security policy",
			Help: "Add SECURITY.md.", Severity: checks.Low},
		// ref-version-mismatch is deliberately absent: SARIF must add it.
		{ID: "unused-rule", Short: "A rule with no finding", Severity: checks.Info},
	}
}

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://hardener.invalid/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func writeSARIF(t *testing.T, r Result) ([]byte, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, r, sampleRules(), "1.2.3"); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), inst.(map[string]any)
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	sch := compileSARIFSchema(t)
	for name, r := range map[string]Result{
		"sample": sample(),
		"empty":  {},
		"odd path": {Findings: []checks.Finding{{
			Rule: "unpinned-uses", Severity: checks.High, Message: "m",
			Primary: checks.Location{File: "dir with space/ü#1.yml", Line: 2},
		}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, inst := writeSARIF(t, r)
			if err := sch.Validate(inst); err != nil {
				t.Errorf("invalid SARIF: %v\n%s", err, out)
			}
		})
	}
}

// sarifDoc is the part of the output the tests look at.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version string
				Rules         []struct {
					ID         string         `json:"id"`
					Properties map[string]any `json:"properties"`
					Default    struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region map[string]int `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Related             []json.RawMessage `json:"relatedLocations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, r Result) sarifDoc {
	t.Helper()
	out, _ := writeSARIF(t, r)
	var d sarifDoc
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.Version != "2.1.0" || len(d.Runs) != 1 {
		t.Fatalf("not one SARIF 2.1.0 run: %s", out)
	}
	return d
}

func TestSARIFContent(t *testing.T) {
	t.Parallel()
	d := decodeSARIF(t, sample())
	run := d.Runs[0]
	if run.Tool.Driver.Name != "hardener" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("driver = %+v", run.Tool.Driver)
	}
	rules := run.Tool.Driver.Rules
	if got := rules[len(rules)-1].ID; got != "ref-version-mismatch" {
		t.Errorf("rule missing from the list not added last: %q", got)
	}
	wantSev := map[string]string{"unpinned-uses": "8.0", "unpinned-image": "5.5", "missing-security-policy": "3.0", "unused-rule": "1.0"}
	for _, r := range rules {
		if w, ok := wantSev[r.ID]; ok && r.Properties["security-severity"] != w {
			t.Errorf("%s security-severity = %v, want %s", r.ID, r.Properties["security-severity"], w)
		}
	}
	if len(run.Results) != len(sample().Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(sample().Findings))
	}
	wantLevel := map[string]string{"unpinned-uses": "error", "template-injection": "error",
		"unpinned-image": "warning", "missing-security-policy": "note", "ref-version-mismatch": "note"}
	prev := ""
	for _, res := range run.Results {
		if rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d is %s, not %s", res.RuleIndex, rules[res.RuleIndex].ID, res.RuleID)
		}
		if w, ok := wantLevel[res.RuleID]; ok && res.Level != w {
			t.Errorf("%s level = %s, want %s", res.RuleID, res.Level, w)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI < prev {
			t.Errorf("results not sorted: %s after %s", loc.ArtifactLocation.URI, prev)
		}
		prev = loc.ArtifactLocation.URI
		if res.PartialFingerprints[FingerprintKey] == "" {
			t.Errorf("%s has no fingerprint", res.RuleID)
		}
		if res.RuleID == "template-injection" && len(res.Related) != 2 {
			t.Errorf("related locations: %d", len(res.Related))
		}
		if res.RuleID == "excessive-permissions" && loc.Region["startColumn"] != 1 {
			t.Errorf("region %v", loc.Region)
		}
	}
}

func TestFileURI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		".github/workflows/ci.yml": ".github/workflows/ci.yml",
		"./Dockerfile":             "Dockerfile",
		"dir with space/ü#1.yml":   "dir%20with%20space/%C3%BC%231.yml",
		"a:b.yml":                  "./a:b.yml",
	} {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSARIFColumnsAreCodePoints(t *testing.T) {
	t.Parallel()
	d := decodeSARIF(t, Result{Findings: []checks.Finding{{
		Rule: "unpinned-uses", Severity: checks.High, Message: "m",
		Primary: checks.Location{File: "a.yml", Line: 1, Column: 11, EndLine: 1, EndColumn: 14},
		Snippet: "# é ü: x: abc",
	}}})
	reg := d.Runs[0].Results[0].Locations[0].PhysicalLocation.Region
	if reg["startColumn"] != 9 || reg["endColumn"] != 12 {
		t.Errorf("region = %v, want columns 9–12 in code points", reg)
	}
}

func TestSARIFFingerprintSurvivesLineMoves(t *testing.T) {
	t.Parallel()
	f := checks.Finding{
		Rule: "unpinned-uses", Severity: checks.High, Message: "m", Subject: "actions/checkout@v4",
		Primary: checks.Location{File: "ci.yml", Line: 12, Column: 15}, Snippet: "      - uses: actions/checkout@v4",
	}
	moved := f
	moved.Primary.Line, moved.Snippet = 40, "  - uses: actions/checkout@v4"
	other := f
	other.Subject = "actions/checkout@v3"
	fp := func(fs ...checks.Finding) []string {
		var out []string
		for _, r := range decodeSARIF(t, Result{Findings: fs}).Runs[0].Results {
			out = append(out, r.PartialFingerprints[FingerprintKey])
		}
		return out
	}
	a, b, c := fp(f)[0], fp(moved)[0], fp(other)[0]
	if a != b {
		t.Errorf("fingerprint changed when the line moved: %s vs %s", a, b)
	}
	if a == c {
		t.Errorf("different subjects share a fingerprint")
	}
	twice := fp(f, moved)
	if twice[0] == twice[1] {
		t.Errorf("identical findings in one file share a fingerprint: %v", twice)
	}
}
