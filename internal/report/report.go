// Package report writes scan results as text for terminals, as the JSON of
// SPEC §2, and as SARIF 2.1.0 for GitHub code scanning, and decides the
// CLI's exit status.
package report

import (
	"cmp"
	"slices"

	"github.com/hardener/hardener/checks"
)

// Result is everything one scan produced.
type Result struct {
	Findings []checks.Finding
	// Errors are files that could not be read at all (a file that does not
	// parse is a finding of rule invalid-workflow, not an error).
	Errors []checks.FileError
	// Scorecard maps OpenSSF Scorecard check names to scores 0–10, -1 when
	// the check could not decide; nil when Scorecard did not run.
	Scorecard map[string]int
	// ScorecardOrder is the order to print scores in; names missing from
	// it follow in alphabetical order.
	ScorecardOrder []string
}

// RuleInfo describes a rule for SARIF consumers.
type RuleInfo struct {
	ID, Name, Short, Help, HelpURI string
	Severity                       checks.Severity
}

// ExitCode is the CLI's exit status for the findings: 1 when one reaches
// failOn, 0 otherwise. Usage and I/O errors (status 2) are the caller's.
func ExitCode(findings []checks.Finding, failOn checks.FailOn) int {
	for _, f := range findings {
		if failOn.Fails(f.Severity) {
			return 1
		}
	}
	return 0
}

// sorted returns the findings ordered by file, line, column, rule and
// message, so every format is deterministic whatever order checks ran in.
func sorted(fs []checks.Finding) []checks.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b checks.Finding) int {
		return cmp.Or(
			cmp.Compare(a.Primary.File, b.Primary.File),
			cmp.Compare(a.Primary.Line, b.Primary.Line),
			cmp.Compare(a.Primary.Column, b.Primary.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return out
}

func sortedErrors(es []checks.FileError) []checks.FileError {
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b checks.FileError) int { return cmp.Compare(a.File, b.File) })
	return out
}

// scorecardNames lists the Scorecard checks in print order.
func scorecardNames(r Result) []string {
	var names []string
	seen := map[string]bool{}
	for _, n := range r.ScorecardOrder {
		if _, ok := r.Scorecard[n]; ok && !seen[n] {
			names = append(names, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range r.Scorecard {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}
