package app

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/remediations"
)

// The refresh remediation moves pins that already exist when their tags
// move upstream. The fix hash deliberately ignores that (a maintainer who
// closed the PR is not asked again because a tag moved), so an open PR
// would keep proposing the digest of the day it was written. The PR body
// therefore also records the refreshed lines: an open PR whose fixes are
// the same but whose refreshed pins are not is rewritten.

// refreshedPins identifies what the refresh commit writes: each changed
// line as it reads afterwards, with its file. "" when nothing is
// refreshed.
func refreshedPins(results []*remediations.Result) string {
	var lines []string
	for _, r := range results {
		if r.ID != checks.FixRefresh {
			continue
		}
		for _, c := range r.Changes {
			before, after := strings.Split(string(c.Before), "\n"), strings.Split(string(c.After), "\n")
			if len(before) != len(after) { // refresh never adds lines; be exact anyway
				lines = append(lines, c.Path+"\x00"+string(c.After))
				continue
			}
			for i := range after {
				if after[i] != before[i] {
					lines = append(lines, c.Path+"\x00"+after[i])
				}
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// pinsMarker is the part of the App's marker (fixesRe) that records
// refreshedPins, "" when nothing is refreshed.
func pinsMarker(results []*remediations.Result) string {
	h := refreshedPins(results)
	if h == "" {
		return ""
	}
	return " pins=" + h
}

// pinsCurrent reports whether an open PR's body records the pins that
// results refresh, in the App's marker on its last line.
func pinsCurrent(body string, results []*remediations.Result) bool {
	got := ""
	if m := fixesRe.FindStringSubmatch(lastLine(body)); m != nil {
		got = m[2]
	}
	return got == refreshedPins(results)
}
