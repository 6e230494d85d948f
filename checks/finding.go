// Package checks holds the scanners: each rule looks at a snapshot of a
// repository and returns findings. Checks only find; they never change
// anything (the app and the remediations act on their findings).
package checks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
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

// FailOn is a `fail-on` threshold: findings at or above a severity fail,
// or none do ("never"). The zero value is "info": every finding fails.
// ParseFailOn is the only way to read one from text, so an unknown value
// is always an error, never a silent default.
type FailOn struct {
	min   Severity
	never bool
}

// FailNever is `fail-on: never`.
var FailNever = FailOn{never: true}

// FailAt returns the threshold that fails on findings at or above s.
func FailAt(s Severity) FailOn { return FailOn{min: s} }

// FailOnLevels are the values ParseFailOn accepts, lowest first.
func FailOnLevels() []string {
	return append(severityNames[:len(severityNames):len(severityNames)], "never")
}

// ParseFailOn reads "info", "low", "medium", "high" or "never" (lower
// case, as the config file and --fail-on spell them).
func ParseFailOn(s string) (FailOn, error) {
	if s == "never" {
		return FailNever, nil
	}
	for i, n := range severityNames {
		if s == n {
			return FailAt(Severity(i)), nil
		}
	}
	return FailOn{}, fmt.Errorf("unknown fail-on %q (want %s)", s, strings.Join(FailOnLevels(), ", "))
}

// Fails reports whether a finding of severity s reaches the threshold.
func (t FailOn) Fails(s Severity) bool { return !t.never && s >= t.min }

// String is the threshold's name as ParseFailOn reads it.
func (t FailOn) String() string {
	if t.never {
		return "never"
	}
	return t.min.String()
}

// Equal reports whether two thresholds are the same (for go-cmp).
func (t FailOn) Equal(u FailOn) bool { return t == u }

// MarshalText writes the threshold's name.
func (t FailOn) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a threshold name with ParseFailOn.
func (t *FailOn) UnmarshalText(b []byte) error {
	v, err := ParseFailOn(string(b))
	if err != nil {
		return err
	}
	*t = v
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

// Fingerprint identifies a finding apart from where its line sits: a hash
// of the rule, the file, the subject and the text of the primary line
// (Snippet, without surrounding blanks). Moving lines keeps it; two
// identical lines share it, so users of it count occurrences (see
// Occurrences). It is the identity everything compares findings by: the
// engine's de-duplication, what a pull request introduces, SARIF's
// partialFingerprints and the hash of the fixes a hardening PR carries.
func (f Finding) Fingerprint() string {
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.Primary.File + "\x00" + f.Subject + "\x00" + strings.TrimSpace(f.Snippet)))
	return hex.EncodeToString(sum[:16])
}

// Occurrences returns the fingerprint of each finding followed by its
// occurrence among findings with the same fingerprint, in order
// ("<fingerprint>:1", "<fingerprint>:2", …): an identity that tells two
// identical lines of a file apart.
func Occurrences(findings []Finding) []string {
	seen := map[string]int{}
	out := make([]string, len(findings))
	for i, f := range findings {
		fp := f.Fingerprint()
		seen[fp]++
		out[i] = fp + ":" + strconv.Itoa(seen[fp])
	}
	return out
}

// Exploitable reports whether the finding's rule is exploitable (see
// RuleMeta.Exploitable).
func (f Finding) Exploitable() bool {
	m, _ := Rule(f.Rule)
	return m.Exploitable
}

// Check is one scanner.
type Check interface {
	ID() string
	Run(ctx context.Context, snap *repo.Snapshot) ([]Finding, error)
}
