// Package checks holds the scanners: each rule looks at a snapshot of a
// repository and returns findings. Checks only find; they never change
// anything (the app and the remediations act on their findings).
package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/repo"
)

// Severity orders findings. The zero value is Info.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
)

var severityNames = [...]string{"info", "low", "medium", "high"}

func (s Severity) String() string {
	if s < Info || s > High {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "info", "low", "medium" or "high".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want info, low, medium or high)", s)
}

// MarshalText writes the severity's name, so JSON shows "high".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how sure a rule is that the finding is real.
type Confidence string

// Confidence levels.
const (
	ConfidenceHigh   Confidence = "high"
	ConfidenceMedium Confidence = "medium"
	ConfidenceLow    Confidence = "low"
)

// Location is a place in a file: 1-based line and column (columns in
// bytes), an end (exclusive column on EndLine), and the byte offsets of the
// same span so that editors and fingerprints do not recompute them.
type Location struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
	Offset    int    `json:"-"`
	EndOffset int    `json:"-"`
	// Note explains what a related location is ("the checkout", "the trigger").
	Note string `json:"note,omitempty"`
}

// Finding is one problem at one place.
type Finding struct {
	Rule        string     `json:"rule"`
	Severity    Severity   `json:"severity"`
	Confidence  Confidence `json:"confidence,omitempty"`
	Message     string     `json:"message"`
	Remediation string     `json:"remediation"`
	// Primary is where the problem is; it must have a file and a line.
	Primary Location   `json:"-"`
	Related []Location `json:"related,omitempty"`
	// Subject is what the finding is about, e.g. "actions/checkout@v4" or
	// "node:20"; remediations and exemptions match on it.
	Subject string `json:"subject,omitempty"`
	// Snippet is the source line of the primary location, without its
	// line ending (filled in by the scanner for text output).
	Snippet string `json:"-"`
}

// MarshalJSON writes the flat shape of SPEC §2: rule, severity, file,
// line, column, message, remediation (plus optional extras).
func (f Finding) MarshalJSON() ([]byte, error) {
	type flat struct {
		Rule        string     `json:"rule"`
		Severity    Severity   `json:"severity"`
		File        string     `json:"file"`
		Line        int        `json:"line"`
		Column      int        `json:"column"`
		EndLine     int        `json:"end_line,omitempty"`
		EndColumn   int        `json:"end_column,omitempty"`
		Message     string     `json:"message"`
		Remediation string     `json:"remediation"`
		Confidence  Confidence `json:"confidence,omitempty"`
		Subject     string     `json:"subject,omitempty"`
		Related     []Location `json:"related,omitempty"`
	}
	return json.Marshal(flat{
		Rule: f.Rule, Severity: f.Severity, File: f.Primary.File,
		Line: f.Primary.Line, Column: f.Primary.Column,
		EndLine: f.Primary.EndLine, EndColumn: f.Primary.EndColumn,
		Message: f.Message, Remediation: f.Remediation,
		Confidence: f.Confidence, Subject: f.Subject, Related: f.Related,
	})
}

// Key identifies a finding independently of its message: the pair
// (rule, location) that the app uses to tell whether a fix set changed.
func (f Finding) Key() string {
	return fmt.Sprintf("%s@%s:%d:%d", f.Rule, f.Primary.File, f.Primary.Line, f.Primary.Column)
}

// Check is one scanner.
type Check interface {
	ID() string
	Run(ctx context.Context, snap *repo.Snapshot) ([]Finding, error)
}
