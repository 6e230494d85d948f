// Package dashboard keeps one issue per organisation that shows where every
// repository stands with Hardener: its status, OpenSSF Scorecard before →
// after, open findings by severity and links to the hardening PR and the
// check run, with totals, a chart of the rollout and, while it runs, the
// repositories still waiting and when they should be done.
//
// The rescan calls Dashboard.Installation once per installation. What the
// issue shows comes from three places, so that a nightly rescan of an
// unchanged organisation reads nothing per repository: the previous rows,
// kept in a hidden, size-bounded state block of the issue body; the
// repository listing the rescan already has (names, visibility, pushed_at,
// and the organisation file's opt-outs); and, only for repositories pushed
// since the last run or still waiting for a result, their latest `hardener`
// check run — in which the job that handled them left a hidden Report — and
// their hardening pull request. The issue is written only when its body
// would change.
package dashboard

import (
	"encoding/json"
	"regexp"
	"strings"
)

// State is where a repository stands.
type State uint8

// States, in the order the totals show them.
const (
	// Pending: no result yet (queued or being scanned).
	Pending State = iota
	// Scanned: a check run, and no hardening PR (nothing to fix).
	Scanned
	// PROpen, PRMerged, PRClosed: the hardening PR's state (closed means
	// closed without merging).
	PROpen
	PRMerged
	PRClosed
	// OptedOut: the organisation's file switches Hardener off for it.
	OptedOut
	// ReportMode: `mode: report`; check runs only.
	ReportMode
	// Failed: an invalid configuration or a scan that could not finish.
	Failed
	numStates
)

var stateLabels = [numStates]string{
	Pending: "⏳ waiting", Scanned: "🔵 scanned", PROpen: "🟠 PR open", PRMerged: "🟢 PR merged",
	PRClosed: "⚪ PR closed", OptedOut: "⏸️ opted out", ReportMode: "📄 report mode", Failed: "🔴 error",
}

// pieLabels name the states in the Mermaid chart (plain text, no emoji:
// they go inside quotes there).
var pieLabels = [numStates]string{
	Pending: "Waiting", Scanned: "Scanned, nothing to fix", PROpen: "Hardening PR open",
	PRMerged: "Hardening PR merged", PRClosed: "Hardening PR closed", OptedOut: "Opted out",
	ReportMode: "Report mode", Failed: "Error",
}

func (s State) String() string {
	if s < numStates {
		return stateLabels[s]
	}
	return "unknown"
}

// Score is an OpenSSF Scorecard score in tenths of a point (0–100), or
// NoScore.
type Score int

// NoScore is an unknown score.
const NoScore Score = -1

// ScoreOf averages the checks' scores (0–10 each; negative ones are
// inconclusive and left out) into a Score.
func ScoreOf(scores map[string]int) Score {
	sum, n := 0, 0
	for _, v := range scores {
		if v >= 0 && v <= 10 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return NoScore
	}
	return Score((sum*10 + n/2) / n)
}

func (s Score) String() string {
	if s < 0 || s > 100 {
		return "–"
	}
	return itoa(int(s)/10) + "." + itoa(int(s)%10)
}

// Findings counts open findings by severity.
type Findings struct{ High, Medium, Low int }

// Status is one repository's row.
type Status struct {
	ID      int64
	Name    string // the repository's name (the dashboard is per owner)
	URL     string // its web page, for links
	Private bool
	State   State
	Findings
	Before, After Score
	PR            int   // the hardening PR's number, 0 when unknown
	CheckRun      int64 // the latest `hardener` check run, 0 when unknown
	// Message says why a repository is Failed. It quotes repository-
	// controlled text (configuration errors): escape it when shown.
	Message string
	// Recheck asks the next run to read the repository again (a result
	// that may still change, or a refresh the run had no budget for).
	Recheck bool
}

// healthy rows need nobody's attention: nothing left to fix above low.
func (s *Status) healthy() bool {
	return (s.State == Scanned || s.State == PRMerged) && s.High == 0 && s.Medium == 0
}

// Report is what a job found on the default branch, written (hidden) into
// the check run it completes, for the dashboard to read back without
// parsing the summary.
type Report struct {
	Findings
	Before, After Score
	// ReportMode: the repository's configuration says `mode: report`.
	ReportMode bool
	// PR is the hardening PR the job opened or found, 0 for none.
	PR int
	// Error is why the job could not scan (an invalid configuration).
	Error string
}

// maxMessage bounds the text a row keeps.
const maxMessage = 200

type wireReport struct {
	F  [3]int `json:"f"`
	B  Score  `json:"b"`
	A  Score  `json:"a"`
	R  bool   `json:"r,omitempty"`
	PR int    `json:"pr,omitempty"`
	E  string `json:"e,omitempty"`
}

const reportPrefix = "<!-- hardener:dashboard-report "

var reportRe = regexp.MustCompile(`<!-- hardener:dashboard-report (\{[^<>]*\}) -->`)

// maxReport bounds a report's JSON.
const maxReport = 2048

// Text is the report as an HTML comment, invisible when GitHub renders the
// check run's text.
func (r Report) Text() string {
	w := wireReport{F: [3]int{r.High, r.Medium, r.Low}, B: r.Before, A: r.After, R: r.ReportMode, PR: r.PR, E: truncate(r.Error, maxMessage)}
	b, _ := json.Marshal(w)
	// No "--" or "<>" may end the comment early or smuggle markup: JSON
	// escapes < and > already; "--" cannot occur outside strings, and
	// strings escape it here.
	s := strings.ReplaceAll(string(b), "--", `-\u002d`)
	return reportPrefix + s + " -->"
}

// ParseReport reads a Report out of a check run's text.
func ParseReport(text string) (Report, bool) {
	m := reportRe.FindStringSubmatch(text)
	if m == nil || len(m[1]) > maxReport {
		return Report{}, false
	}
	var w wireReport
	if err := json.Unmarshal([]byte(m[1]), &w); err != nil {
		return Report{}, false
	}
	r := Report{Findings: Findings{High: max(w.F[0], 0), Medium: max(w.F[1], 0), Low: max(w.F[2], 0)},
		Before: clampScore(w.B), After: clampScore(w.A), ReportMode: w.R, PR: max(w.PR, 0), Error: truncate(w.E, maxMessage)}
	return r, true
}

func clampScore(s Score) Score {
	if s < 0 || s > 100 {
		return NoScore
	}
	return s
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
