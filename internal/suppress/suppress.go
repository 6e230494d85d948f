// Package suppress reads the inline comments that silence a rule at one
// place: `# hardener: ignore[rule,…]` and, for the rules Hardener shares
// with zizmor, `# zizmor: ignore[audit,…]`, since many projects already
// triaged their workflows with zizmor. The scan drops a suppressed finding
// and every remediation leaves a suppressed place as it is, so both read
// the comments here.
package suppress

import (
	"regexp"
	"strings"
)

// Lines is a file's text by 1-based line number; *workflow.Source is one.
type Lines interface {
	Line(n int) string
}

var (
	hardenerRe = regexp.MustCompile(`#\s*hardener:\s*ignore\[([A-Za-z0-9,\s*_-]+)\]`)
	zizmorRe   = regexp.MustCompile(`#\s*zizmor:\s*ignore\[([A-Za-z0-9,\s_-]+)\]`)
)

// zizmorAudits maps a Hardener rule to the zizmor audit that reports the
// same problem (audit names from https://docs.zizmor.sh/audits/). zizmor
// reports a job left with the default token under excessive-permissions,
// so that audit covers both permission rules.
var zizmorAudits = map[string]string{
	"unpinned-uses":         "unpinned-uses",
	"unpinned-image":        "unpinned-images",
	"missing-permissions":   "excessive-permissions",
	"excessive-permissions": "excessive-permissions",
	"dangerous-trigger":     "dangerous-triggers",
	"template-injection":    "template-injection",
	"secrets-inherit":       "secrets-inherit",
	"artipacked":            "artipacked",
	"impostor-commit":       "impostor-commit",
	"ref-version-mismatch":  "ref-version-mismatch",
}

// Suppressed reports whether rule is silenced at line: by a comment on the
// line itself, or by a comment alone on the line directly above.
func Suppressed(src Lines, line int, rule string) bool {
	if src == nil || line < 1 {
		return false
	}
	if Names(src.Line(line), rule) {
		return true
	}
	if line > 1 {
		prev := strings.TrimSpace(src.Line(line - 1))
		return strings.HasPrefix(prev, "#") && Names(prev, rule)
	}
	return false
}

// Names reports whether a line carries a suppression comment naming rule
// (or `*` in a Hardener comment).
func Names(text, rule string) bool {
	if !strings.Contains(text, "ignore[") {
		return false // the common case, without a regexp
	}
	for _, m := range hardenerRe.FindAllStringSubmatch(text, -1) {
		if listed(m[1], rule, true) {
			return true
		}
	}
	if audit := zizmorAudits[rule]; audit != "" {
		for _, m := range zizmorRe.FindAllStringSubmatch(text, -1) {
			if listed(m[1], audit, false) {
				return true
			}
		}
	}
	return false
}

func listed(list, name string, star bool) bool {
	for _, r := range strings.Split(list, ",") {
		r = strings.TrimSpace(r)
		if r == name || star && r == "*" {
			return true
		}
	}
	return false
}
