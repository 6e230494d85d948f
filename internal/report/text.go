package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hardener/hardener/checks"
)

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiYel   = "\x1b[33m"
	ansiCyan  = "\x1b[36m"
)

var severityColor = map[checks.Severity]string{
	checks.High: ansiRed + ansiBold, checks.Medium: ansiYel, checks.Low: ansiCyan, checks.Info: ansiDim,
}

// Text writes one block per finding — `file:line:col rule severity
// message`, the source line with a caret under the column, related
// locations and the remediation — followed by unreadable files, a summary of counts by severity
// and the Scorecard scores. color adds ANSI colours.
func Text(w io.Writer, r Result, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	for _, f := range sorted(r.Findings) {
		p := f.Primary
		fmt.Fprintf(bw, "%s %s %s %s\n", paint(ansiBold, fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)),
			f.Rule, paint(severityColor[f.Severity], f.Severity.String()), f.Message)
		if f.Snippet != "" {
			fmt.Fprintf(bw, "%s\n%s\n", f.Snippet, paint(ansiGreen, caret(f.Snippet, p)))
		}
		for _, rl := range f.Related {
			note := rl.Note
			if note == "" {
				note = "related location"
			}
			fmt.Fprintf(bw, "  %s %s\n", paint(ansiDim, fmt.Sprintf("%s:%d:%d", rl.File, rl.Line, rl.Column)), note)
		}
		if f.Remediation != "" {
			fmt.Fprintf(bw, "  remediation: %s\n", f.Remediation)
		}
		bw.WriteString("\n")
	}
	for _, e := range sortedErrors(r.Errors) {
		fmt.Fprintf(bw, "%s %s %s\n", paint(ansiBold, e.File), paint(ansiRed, "error"), e.Message)
	}
	bw.WriteString(summary(r) + "\n")
	if len(r.Scorecard) > 0 {
		parts := make([]string, 0, len(r.Scorecard))
		for _, n := range scorecardNames(r) {
			score := "?"
			if s := r.Scorecard[n]; s >= 0 {
				score = strconv.Itoa(s) + "/10"
			}
			parts = append(parts, n+" "+score)
		}
		bw.WriteString("Scorecard: " + strings.Join(parts, ", ") + "\n")
	}
	return bw.Flush()
}

// summary is e.g. "3 findings: 1 high, 2 low; 1 file could not be read".
func summary(r Result) string {
	var counts [checks.High + 1]int
	for _, f := range r.Findings {
		if f.Severity >= checks.Info && f.Severity <= checks.High {
			counts[f.Severity]++
		}
	}
	s := "No findings"
	if n := len(r.Findings); n > 0 {
		var parts []string
		for sev := checks.High; sev >= checks.Info; sev-- {
			if counts[sev] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
			}
		}
		s = fmt.Sprintf("%d %s: %s", n, plural(n, "finding", "findings"), strings.Join(parts, ", "))
	}
	if n := len(r.Errors); n > 0 {
		s += fmt.Sprintf("; %d %s could not be read", n, plural(n, "file", "files"))
	}
	return s + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// caret returns the line under snippet that marks the location: spaces
// (tabs kept, one space per character, since columns count bytes) up to
// the column, then `^` and `~` to the end column on the same line.
func caret(snippet string, loc checks.Location) string {
	col := loc.Column
	if col < 1 {
		col = 1
	}
	var b strings.Builder
	i := 0
	for i < col-1 && i < len(snippet) {
		r, size := utf8.DecodeRuneInString(snippet[i:])
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i += size
	}
	if i < col-1 { // column past the end of the line
		b.WriteString(strings.Repeat(" ", col-1-i))
	}
	b.WriteByte('^')
	if loc.EndLine == loc.Line && loc.EndColumn > col+1 && loc.EndColumn-1 <= len(snippet) && col-1 <= len(snippet) {
		if n := utf8.RuneCountInString(snippet[col-1:loc.EndColumn-1]) - 1; n > 0 {
			b.WriteString(strings.Repeat("~", n))
		}
	}
	return b.String()
}

// JSON writes the document of SPEC §2: version, findings and errors
// (always lists, never null) and scorecard when Scorecard ran.
func JSON(w io.Writer, r Result) error {
	doc := struct {
		Version   int                `json:"version"`
		Findings  []checks.Finding   `json:"findings"`
		Errors    []checks.FileError `json:"errors"`
		Scorecard map[string]int     `json:"scorecard,omitempty"`
	}{1, sorted(r.Findings), sortedErrors(r.Errors), r.Scorecard}
	if doc.Findings == nil {
		doc.Findings = []checks.Finding{}
	}
	if doc.Errors == nil {
		doc.Errors = []checks.FileError{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
