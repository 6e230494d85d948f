package report

import (
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hardener/hardener/checks"
)

// SARIF constants.
const (
	sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVer    = "2.1.0"
	// InformationURI is the tool's home page in SARIF output.
	InformationURI = "https://github.com/hardener/hardener"
	// FingerprintKey names Hardener's partial fingerprint: it survives line
	// moves because it hashes the rule, file, subject and trimmed source
	// line, not the line number.
	FingerprintKey = "hardener/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// level maps a severity to a SARIF level: high is an error, medium a
// warning, low and info notes.
func level(s checks.Severity) string {
	switch {
	case s >= checks.High:
		return "error"
	case s == checks.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the score GitHub turns back into a severity
// (≥7 high, ≥4 medium, else low).
func securitySeverity(s checks.Severity) string {
	switch s {
	case checks.High:
		return "8.0"
	case checks.Medium:
		return "5.5"
	case checks.Low:
		return "3.0"
	}
	return "1.0"
}

// SARIF writes a SARIF 2.1.0 log with one run for GitHub code scanning.
// Every rule in rules is listed; a finding of a rule missing from rules
// gets a minimal rule so that ruleIndex always resolves. Results are sorted
// like the other formats. Files that could not be read are not results.
func SARIF(w io.Writer, r Result, rules []RuleInfo, toolVersion string) error {
	index := map[string]int{}
	var out []sarifRule
	addRule := func(ri RuleInfo) {
		if _, dup := index[ri.ID]; dup {
			return
		}
		index[ri.ID] = len(out)
		out = append(out, ruleOf(ri))
	}
	for _, ri := range rules {
		addRule(ri)
	}
	findings := sorted(r.Findings)
	var missing []RuleInfo
	for _, f := range findings {
		if _, ok := index[f.Rule]; !ok && !slices.ContainsFunc(missing, func(m RuleInfo) bool { return m.ID == f.Rule }) {
			missing = append(missing, RuleInfo{ID: f.Rule, Severity: f.Severity})
		}
	}
	slices.SortFunc(missing, func(a, b RuleInfo) int { return strings.Compare(a.ID, b.ID) })
	for _, ri := range missing {
		addRule(ri)
	}

	results := make([]sarifResult, 0, len(findings))
	ids := checks.Occurrences(findings)
	for i, f := range findings {
		results = append(results, resultOf(f, index[f.Rule], ids[i]))
	}
	log := sarifLog{
		Schema: sarifSchema, Version: sarifVer,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "hardener", InformationURI: InformationURI, Version: toolVersion,
				Rules: append([]sarifRule{}, out...),
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func ruleOf(ri RuleInfo) sarifRule {
	name, short, help := ri.Name, ri.Short, ri.Help
	if name == "" {
		name = pascal(ri.ID)
	}
	if name == ri.ID {
		name = "" // SARIF wants the optional name to differ from the id
	}
	if short == "" {
		short = ri.ID
	}
	if help == "" {
		help = short
	}
	full := help
	if i := strings.Index(help, "\n\n"); i > 0 {
		full = help[:i] // the first paragraph
	}
	md := help
	if ri.HelpURI != "" {
		md += "\n\n[Documentation](" + ri.HelpURI + ")"
	}
	return sarifRule{
		ID: ri.ID, Name: name,
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifText{Text: help, Markdown: md},
		HelpURI:              ri.HelpURI,
		DefaultConfiguration: sarifConfig{Level: level(ri.Severity)},
		Properties: map[string]any{
			"tags":              []string{"security", "supply-chain"},
			"precision":         "high",
			"problem.severity":  problemSeverity(ri.Severity),
			"security-severity": securitySeverity(ri.Severity),
		},
	}
}

// problemSeverity is the CodeQL-style property some viewers read.
func problemSeverity(s checks.Severity) string {
	if s == checks.Info {
		return "recommendation"
	}
	return level(s)
}

// resultOf converts a finding; id is its fingerprint and occurrence.
func resultOf(f checks.Finding, ruleIndex int, id string) sarifResult {
	res := sarifResult{
		RuleID: f.Rule, RuleIndex: ruleIndex, Level: level(f.Severity),
		Message:   sarifText{Text: f.Message},
		Locations: []sarifLocation{{PhysicalLocation: physical(f.Primary, f.Primary, f.Snippet)}},
	}
	for i, rl := range f.Related {
		id := i + 1
		note := rl.Note
		if note == "" {
			note = "related location"
		}
		res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
			ID:               &id,
			PhysicalLocation: physical(rl, f.Primary, f.Snippet),
			Message:          &sarifText{Text: note},
		})
	}
	props := map[string]any{}
	if f.Remediation != "" {
		props["remediation"] = f.Remediation
	}
	if f.Confidence != "" {
		props["confidence"] = string(f.Confidence)
	}
	if f.Subject != "" {
		props["subject"] = f.Subject
	}
	if len(props) > 0 {
		res.Properties = props
	}
	res.PartialFingerprints = map[string]string{FingerprintKey: id}
	return res
}

// physical converts a location. Columns count bytes in Hardener and code
// points in the SARIF run; they are converted where the source line is
// known (the primary location's line).
func physical(l, primary checks.Location, snippet string) sarifPhysical {
	reg := sarifRegion{StartLine: max(l.Line, 1)}
	onSnippet := func(line int) bool { return snippet != "" && line == primary.Line && l.File == primary.File }
	if l.Column > 0 {
		reg.StartColumn = toCodePoints(l.Column, l.Line, onSnippet, snippet)
	}
	if l.EndLine > 0 && l.EndLine >= reg.StartLine {
		reg.EndLine = l.EndLine
		if l.EndColumn > 0 {
			reg.EndColumn = toCodePoints(l.EndColumn, l.EndLine, onSnippet, snippet)
		}
	}
	return sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: fileURI(l.File), URIBaseID: "%SRCROOT%"},
		Region:           reg,
	}
}

func toCodePoints(col, line int, onSnippet func(int) bool, snippet string) int {
	if !onSnippet(line) || col-1 > len(snippet) {
		return col
	}
	return utf8.RuneCountInString(snippet[:col-1]) + 1
}

// fileURI is a relative URI reference with `/` separators.
func fileURI(p string) string {
	p = strings.TrimPrefix(p, "./")
	u := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u // "a:b.yml" would read as a URI with scheme "a"
	}
	return u
}

// pascal turns a rule ID such as "unpinned-uses" into "UnpinnedUses".
func pascal(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
