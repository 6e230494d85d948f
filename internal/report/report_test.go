package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/golden"
)

// sample is a representative scan: several rules and severities, related
// locations, a finding without remediation, a tab-indented and a non-ASCII
// source line, an unreadable file and Scorecard scores.
func sample() Result {
	return Result{
		Findings: []checks.Finding{
			{
				Rule: "template-injection", Severity: checks.High, Confidence: checks.ConfidenceHigh,
				Message: "${{ github.event.pull_request.title }} is expanded into a shell script",
				Primary: checks.Location{File: ".github/workflows/pr.yml", Line: 14, Column: 20, EndLine: 14, EndColumn: 58},
				Related: []checks.Location{
					{File: ".github/workflows/pr.yml", Line: 3, Column: 3, Note: "the pull_request_target trigger"},
					{File: ".github/workflows/pr.yml", Line: 9, Column: 9},
				},
				Snippet: "        run: echo \"${{ github.event.pull_request.title }}\"",
			},
			{
				Rule: "unpinned-uses", Severity: checks.High, Remediation: "pin-actions",
				Message: "actions/checkout@v4 is not pinned to a commit SHA",
				Primary: checks.Location{File: ".github/workflows/ci.yml", Line: 12, Column: 15, EndLine: 12, EndColumn: 34},
				Subject: "actions/checkout@v4",
				Snippet: "      - uses: actions/checkout@v4",
			},
			{
				Rule: "unpinned-uses", Severity: checks.High, Remediation: "pin-actions",
				Message: "actions/setup-go@v5 is not pinned to a commit SHA",
				Primary: checks.Location{File: ".github/workflows/ci.yml", Line: 13, Column: 15},
				Subject: "actions/setup-go@v5",
				Snippet: "      - uses: actions/setup-go@v5",
			},
			{
				Rule: "unpinned-image", Severity: checks.Medium, Remediation: "pin-images",
				Message: "node:20 is not pinned to a digest",
				Primary: checks.Location{File: "build/Dockerfile", Line: 1, Column: 6},
				Subject: "node:20",
				Snippet: "FROM\tnode:20 AS build",
			},
			{
				Rule: "excessive-permissions", Severity: checks.Medium, Remediation: "permissions",
				Message: "the workflow has no permissions block: the token gets the repository default",
				Primary: checks.Location{File: ".github/workflows/ci.yml", Line: 1, Column: 1},
				Snippet: "name: ÇI",
			},
			{
				Rule: "missing-security-policy", Severity: checks.Low, Remediation: "security-policy",
				Message: "no SECURITY.md in the root, .github/ or docs/",
				Primary: checks.Location{File: "README.md", Line: 1, Column: 1},
			},
			{
				Rule: "ref-version-mismatch", Severity: checks.Info,
				Message: "the comment says v4.1.0 but the SHA is v4.2.2",
				Primary: checks.Location{File: ".github/workflows/release.yml", Line: 20, Column: 75},
				Snippet: "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.1.0",
			},
		},
		Errors: []checks.FileError{{File: ".github/workflows/huge.yml", Message: "permission denied"}},
		Scorecard: map[string]int{
			"Token-Permissions": 0, "Pinned-Dependencies": 6, "Security-Policy": 10, "Branch-Protection": -1,
		},
		ScorecardOrder: []string{"Pinned-Dependencies", "Token-Permissions", "Branch-Protection"},
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		result Result
		write  func(*bytes.Buffer, Result) error
	}{
		"text.golden":       {sample(), func(b *bytes.Buffer, r Result) error { return Text(b, r, false) }},
		"text-color.golden": {sample(), func(b *bytes.Buffer, r Result) error { return Text(b, r, true) }},
		"text-empty.golden": {Result{}, func(b *bytes.Buffer, r Result) error { return Text(b, r, false) }},
		"json.golden":       {sample(), func(b *bytes.Buffer, r Result) error { return JSON(b, r) }},
		"json-empty.golden": {Result{}, func(b *bytes.Buffer, r Result) error { return JSON(b, r) }},
		"sarif.golden": {sample(), func(b *bytes.Buffer, r Result) error {
			return SARIF(b, r, sampleRules(), "1.2.3")
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := tc.write(&buf, tc.result); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name, buf.Bytes())
		})
	}
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := JSON(&buf, Result{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc["version"]) != "1" || string(doc["findings"]) != "[]" || string(doc["errors"]) != "[]" {
		t.Errorf("empty result: %s", buf.Bytes())
	}
	if _, ok := doc["scorecard"]; ok {
		t.Errorf("scorecard present without Scorecard: %s", buf.Bytes())
	}

	buf.Reset()
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var full struct {
		Findings  []map[string]any   `json:"findings"`
		Errors    []checks.FileError `json:"errors"`
		Scorecard map[string]int     `json:"scorecard"`
	}
	if err := json.Unmarshal(buf.Bytes(), &full); err != nil {
		t.Fatal(err)
	}
	first := full.Findings[0]
	for _, k := range []string{"rule", "severity", "file", "line", "column", "message", "remediation"} {
		if _, ok := first[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, first)
		}
	}
	if full.Scorecard["Pinned-Dependencies"] != 6 || len(full.Errors) != 1 {
		t.Errorf("scorecard or errors lost: %s", buf.Bytes())
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	medium := []checks.Finding{{Rule: "x", Severity: checks.Medium}, {Rule: "y", Severity: checks.Info}}
	tests := map[string]struct {
		findings []checks.Finding
		failOn   string
		want     int
	}{
		"no findings":      {nil, "info", 0},
		"below threshold":  {medium, "high", 0},
		"at threshold":     {medium, "medium", 1},
		"above threshold":  {medium, "low", 1},
		"info catches all": {medium, "info", 1},
		"never":            {medium, "never", 0},
		// An unknown threshold is a usage error (status 2, the caller's),
		// never a silent default.
		"unknown is refused":    {medium, "critical", -1},
		"upper case is refused": {medium, "MEDIUM", -1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			failOn, err := checks.ParseFailOn(tc.failOn)
			if tc.want < 0 {
				if err == nil {
					t.Errorf("ParseFailOn(%q) accepted", tc.failOn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ExitCode(tc.findings, failOn); got != tc.want {
				t.Errorf("ExitCode(..., %q) = %d, want %d", tc.failOn, got, tc.want)
			}
		})
	}
}

func TestCaret(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		snippet string
		loc     checks.Location
		want    string
	}{
		"first column":      {"abc", checks.Location{Line: 1, Column: 1}, "^"},
		"span":              {"  uses: a/b@v1", checks.Location{Line: 1, Column: 9, EndLine: 1, EndColumn: 15}, "        ^~~~~~"},
		"tabs kept":         {"\tFROM\tnode", checks.Location{Line: 1, Column: 7}, "\t    \t^"},
		"multi-byte":        {"é: x", checks.Location{Line: 1, Column: 5}, "   ^"},
		"past end":          {"ab", checks.Location{Line: 1, Column: 5}, "    ^"},
		"span on next line": {"abc", checks.Location{Line: 1, Column: 2, EndLine: 2, EndColumn: 3}, " ^"},
		"zero column":       {"abc", checks.Location{Line: 1}, "^"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := caret(tc.snippet, tc.loc); got != tc.want {
				t.Errorf("caret = %q, want %q", got, tc.want)
			}
		})
	}
}
