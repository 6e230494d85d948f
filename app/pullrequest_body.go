package app

import (
	"strings"

	"github.com/hardener/hardener/templates"
)

// prBodyData feeds templates/pr-body.md.tmpl.
type prBodyData struct {
	Fixes  []prFix
	Scores []scoreRow
	Hidden int
	Notes  []string
	Marker string
}

type prFix struct {
	Title, Explanation string
	Files              []string
}

// maxBodyChars is GitHub's limit on a pull request body.
const maxBodyChars = 65536

// renderPRBody writes the PR body: each remediation's explanation, the
// notes, Scorecard before → after, and the fix hash that makes refreshes
// idempotent.
func renderPRBody(sc *scanned, po *prOutcome, hash string) (string, error) {
	d := prBodyData{Notes: po.notes(), Marker: "<!-- hardener:fixes=" + hash + pinsMarker(po.Results) + " -->"}
	for _, r := range po.Results {
		f := prFix{Title: r.Title, Explanation: r.Explanation}
		if f.Explanation == "" {
			f.Explanation = "### " + r.Title
		}
		for _, c := range r.Changes {
			f.Files = append(f.Files, c.Path)
		}
		d.Fixes = append(d.Fixes, f)
	}
	if sc.scores != nil && po.ScoresAfter != nil {
		d.Scores = scoreRows(sc.scores, po.ScoresAfter)
	}
	for _, f := range sc.findings {
		if sc.hidden(f) {
			d.Hidden++
		}
	}
	s, err := templates.Render("pr-body.md.tmpl", d)
	if err != nil {
		return "", err
	}
	if len([]rune(s)) > maxBodyChars {
		// Keep the marker: it is what makes the next run idempotent.
		s = truncateSummary(s, maxBodyChars-len(d.Marker)-2) + "\n" + d.Marker + "\n"
	}
	return s, nil
}

// lastLine is the last non-empty line of s, without its line ending.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		s = s[i+1:]
	}
	return s
}
