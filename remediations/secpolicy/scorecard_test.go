package secpolicy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks/scorecard"
)

// Every variant of the policy scores 10 on Scorecard's Security-Policy
// check: a link or e-mail (6), enough text (3), disclosure wording (1).
func TestScorecardSecurityPolicy(t *testing.T) {
	tests := map[string]struct {
		owner, name, contact string
	}{
		"advisories":       {owner: "acme", name: "widget"},
		"email":            {contact: "security@acme.example"},
		"url":              {contact: "https://acme.example/security"},
		"nothing is known": {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := SecurityPolicy{}.Apply(context.Background(), env(fstest.MapFS{"README.md": {}}, tc.owner, tc.name, tc.contact))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, res.Changes[0].Path), res.Changes[0].After, 0o644); err != nil {
				t.Fatal(err)
			}
			sc, err := scorecard.Run(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := sc.Scores["Security-Policy"]; got != 10 {
				t.Errorf("Security-Policy = %d (%s), want 10", got, sc.Reasons["Security-Policy"])
			}
		})
	}
}
