package checks

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/internal/repo"
)

func TestParseFailOn(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		fails []Severity // severities that fail; the others pass
		err   bool
	}{
		"info":     {fails: []Severity{Info, Low, Medium, High}},
		"low":      {fails: []Severity{Low, Medium, High}},
		"medium":   {fails: []Severity{Medium, High}},
		"high":     {fails: []Severity{High}},
		"never":    {},
		"critical": {err: true},
		"HIGH":     {err: true}, // the config file and --fail-on spell levels in lower case
		"":         {err: true},
	}
	for in, tc := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFailOn(in)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "info, low, medium, high, never") {
					t.Fatalf("ParseFailOn(%q) = %v, %v; want an error listing the levels", in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != in {
				t.Errorf("String() = %q", got.String())
			}
			for s := Info; s <= High; s++ {
				want := false
				for _, f := range tc.fails {
					want = want || f == s
				}
				if got.Fails(s) != want {
					t.Errorf("Fails(%s) = %v, want %v", s, got.Fails(s), want)
				}
			}
			var back FailOn
			if err := back.UnmarshalText([]byte(got.String())); err != nil || back != got {
				t.Errorf("text round trip: %v, %v", back, err)
			}
		})
	}
	var bad FailOn
	if err := bad.UnmarshalText([]byte("sometimes")); err == nil {
		t.Error("UnmarshalText accepted an unknown level")
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	const w = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n"
	fingerprints := func(src string) []string {
		snap := repo.New(fstest.MapFS{wf: {Data: []byte(src)}}, "")
		var fs []Finding
		for _, f := range Scan(context.Background(), snap, Options{}).Findings {
			if f.Rule == RuleUnpinnedUses {
				fs = append(fs, f)
			}
		}
		return Occurrences(fs)
	}
	base := fingerprints(w)
	if len(base) != 3 {
		t.Fatalf("findings %v, want 3", base)
	}
	// Two identical lines share a fingerprint and differ by occurrence.
	fp1, n1, _ := strings.Cut(base[0], ":")
	fp2, n2, _ := strings.Cut(base[1], ":")
	if fp1 != fp2 || n1 != "1" || n2 != "2" {
		t.Errorf("identical lines: %v", base[:2])
	}
	if strings.HasPrefix(base[2], fp1) {
		t.Errorf("a different action has the same fingerprint: %v", base)
	}
	moved := fingerprints(strings.Replace(w, "jobs:\n", "# moved down\n\njobs:\n", 1))
	if strings.Join(moved, " ") != strings.Join(base, " ") {
		t.Errorf("moving lines changed fingerprints:\n%v\n%v", base, moved)
	}
}

func TestEngineDeduplicatesAndFillsRemediation(t *testing.T) {
	t.Parallel()
	snap := repo.New(fstest.MapFS{wf: {Data: []byte("on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n")}}, "")
	twice := fixedCheck{Finding{Rule: RuleUnpinnedUses, Severity: High, Subject: "actions/checkout@v4",
		Primary: Location{File: wf, Line: 5, Column: 15}}}
	got := Scan(context.Background(), snap, Options{Checks: []Check{twice, twice}}).Findings
	if len(got) != 1 {
		t.Fatalf("findings %+v, want the duplicate dropped", got)
	}
	if got[0].Remediation != FixPinActions {
		t.Errorf("remediation %q, want the rule's %q", got[0].Remediation, FixPinActions)
	}
	if got[0].Snippet != "      - uses: actions/checkout@v4" {
		t.Errorf("snippet %q", got[0].Snippet)
	}
}

// fixedCheck reports the same findings whatever the snapshot.
type fixedCheck []Finding

func (fixedCheck) ID() string { return "fixed" }

func (c fixedCheck) Run(context.Context, *repo.Snapshot) ([]Finding, error) { return c, nil }

func TestRuleMetadata(t *testing.T) {
	t.Parallel()
	exploitable := map[string]bool{}
	for _, r := range Rules() {
		if r.Exploitable {
			exploitable[r.ID] = true
		}
	}
	if len(exploitable) != 2 || !exploitable[RuleTemplateInjection] || !exploitable[RuleUntrustedCheckout] {
		t.Errorf("exploitable rules: %v", exploitable)
	}
	if !(Finding{Rule: RuleTemplateInjection}).Exploitable() || (Finding{Rule: RuleUnpinnedUses}).Exploitable() {
		t.Error("Finding.Exploitable disagrees with the metadata")
	}
	for _, id := range RemediationIDs() {
		if id == "" {
			t.Error("empty remediation ID")
		}
	}
	for _, r := range Rules() {
		if r.Remediation != "" && !strings.Contains(" "+strings.Join(RemediationIDs(), " ")+" ", " "+r.Remediation+" ") {
			t.Errorf("rule %s names unknown remediation %q", r.ID, r.Remediation)
		}
	}
}

// TestReads: the files the rules read, as their metadata says, are the
// files that change what they find.
func TestReads(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		".github/workflows/ci.yml":  true,
		"action.yml":                true,
		"tools/build/action.yaml":   true,
		"Dockerfile":                true,
		"deploy/app.Dockerfile":     true,
		"SECURITY.md":               true,
		"docs/security.rst":         true,
		".github/Security.adoc":     true,
		".github/dependabot.yml":    true,
		"renovate.json5":            true,
		".github/renovate.json":     true,
		"package.json":              true, // a "renovate" key configures Renovate
		"README.md":                 false,
		"src/security.md":           false,
		"security-notes/index.md":   false,
		".github/workflows/x.txt":   false,
		"web/package.json":          false,
		".github/ISSUE_TEMPLATE.md": false,
	} {
		if got := Reads(p); got != want {
			t.Errorf("Reads(%q) = %v, want %v", p, got, want)
		}
	}
	// Each repository rule's answer changes with a file its metadata names.
	base := fstest.MapFS{wf: {Data: []byte("on: push\njobs: {}\n")}}
	with := func(p, content string) fstest.MapFS {
		m := fstest.MapFS{p: {Data: []byte(content)}}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	count := func(fsys fstest.MapFS, rule string) int {
		n := 0
		for _, f := range Scan(context.Background(), repo.New(fsys, ""), Options{}).Findings {
			if f.Rule == rule {
				n++
			}
		}
		return n
	}
	for rule, p := range map[string][2]string{
		RuleMissingSecurityPolicy: {"docs/SECURITY.txt", "Report to security@example.org\n"},
		RuleMissingDependencyUpd:  {"package.json", `{"renovate": {"extends": ["config:recommended"]}}`},
	} {
		m, _ := Rule(rule)
		if !m.ReadsFile(p[0]) {
			t.Errorf("%s: metadata does not name %s", rule, p[0])
		}
		if count(base, rule) != 1 || count(with(p[0], p[1]), rule) != 0 {
			t.Errorf("%s: %s does not change the finding", rule, p[0])
		}
	}
}
