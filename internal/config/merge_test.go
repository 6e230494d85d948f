package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hardener/hardener/checks"
)

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

func mustParseOrg(t *testing.T, src string) *Org {
	t.Helper()
	o, err := ParseOrg([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return &o
}

func TestMerge(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		org, repo string // "-" means the file is absent
		edit      func(*Config)
		note      string
	}{
		"no files": {
			org: "-", repo: "-",
			edit: func(*Config) {},
		},
		"empty files": {
			org: "", repo: "# nothing\n",
			edit: func(*Config) {},
		},
		"org only": {
			org: "mode: report\nfail-on: medium\n", repo: "-",
			edit: func(c *Config) { c.Mode = ModeReport; c.FailOn = checks.FailAt(checks.Medium) },
		},
		"repo key wins over org key": {
			org: "mode: report\nfail-on: medium\n", repo: "fail-on: low\n",
			edit: func(c *Config) { c.Mode = ModeReport; c.FailOn = checks.FailAt(checks.Low) },
		},
		"repo key wins even when it restates the default": {
			org: "mode: report\n", repo: "mode: pr\n",
			edit: func(*Config) {},
		},
		"lists replace": {
			org:  "exempt: [org/*]\npaths-ignore: [gen/**]\n",
			repo: "exempt: [repo/x/*]\n",
			edit: func(c *Config) {
				c.ExemptPatterns = []string{"repo/x/*"}
				c.PathsIgnore = []string{"gen/**"}
			},
		},
		"an empty repo list clears the org list": {
			org: "exempt: [org/*]\n", repo: "exempt: []\n",
			edit: func(c *Config) { c.ExemptPatterns = []string{} },
		},
		"remediations merge per key": {
			org:  "remediations: {signing: true, dependabot: false}\n",
			repo: "remediations: {dependabot: true, pin-images: false}\n",
			edit: func(c *Config) {
				c.Remediations[checks.FixSigning] = true
				c.Remediations[checks.FixPinImages] = false
			},
		},
		"branch-protection merges per key": {
			org:  "branch-protection: {required-approvals: 2, require-signed-commits: true}\n",
			repo: "branch-protection: {required-approvals: 1, required-status-checks: [ci]}\n",
			edit: func(c *Config) {
				c.BranchProtection.RequireSignedCommits = true
				c.BranchProtection.RequiredStatusChecks = []string{"ci"}
			},
		},
		"dependabot ecosystems replace": {
			org:  "dependabot: {ecosystems: [github-actions, npm]}\n",
			repo: "dependabot: {ecosystems: [github-actions, gomod]}\n",
			edit: func(c *Config) { c.Dependabot.Ecosystems = []string{"github-actions", "gomod"} },
		},
		"override forbidden: repo file ignored and reported": {
			org:  "fail-on: medium\nrepositories: {allow-repo-override: false}\n",
			repo: "fail-on: never\nremediations: {pin-actions: false}\n",
			edit: func(c *Config) { c.FailOn = checks.FailAt(checks.Medium) },
			note: "is ignored: the organisation's file sets repositories.allow-repo-override: false",
		},
		"override forbidden, empty repo file: nothing to report": {
			org: "repositories: {allow-repo-override: false}\n", repo: "",
			edit: func(*Config) {},
		},
		"repo file without org file": {
			org: "-", repo: "security-contact: https://example.org/security\n",
			edit: func(c *Config) { c.SecurityContact = "https://example.org/security" },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var org *Org
			var rc *Config
			if tc.org != "-" {
				org = mustParseOrg(t, tc.org)
			}
			if tc.repo != "-" {
				rc = mustParse(t, tc.repo)
			}
			got, err := Merge(org, rc)
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tc.edit(&want)
			if tc.note != "" {
				if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], tc.note) {
					t.Errorf("Notes = %q, want one containing %q", got.Notes, tc.note)
				}
				got.Notes = nil
			}
			if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeKeepsUnsetFailOn(t *testing.T) {
	t.Parallel()
	got, err := Merge(mustParseOrg(t, "mode: report\n"), mustParse(t, "exempt: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.IsSet("fail-on") || got.FailOnOr(low) != low {
		t.Errorf("fail-on set by no file must stay unset")
	}
	got, err = Merge(mustParseOrg(t, "fail-on: high\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.FailOnOr(low) != checks.FailAt(checks.High) {
		t.Errorf("fail-on set by the org file must be used")
	}
}

func TestMergeDoesNotAlias(t *testing.T) {
	t.Parallel()
	org := mustParseOrg(t, "exempt: [a/*]\nremediations: {signing: true}\n")
	a, _ := Merge(org, nil)
	a.ExemptPatterns[0] = "changed"
	a.Remediations[checks.FixSigning] = false
	b, _ := Merge(org, nil)
	if b.ExemptPatterns[0] != "a/*" || !b.Remediations[checks.FixSigning] {
		t.Errorf("merged configs share storage: %v %v", b.ExemptPatterns, b.Remediations)
	}
}

func TestMergeRejectsInvalid(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Mode = "sometimes"
	c.settings = []setting{{key: "mode", apply: func(x *Config) { x.Mode = "sometimes" }}}
	if _, err := Merge(nil, &c); err == nil {
		t.Error("invalid mode accepted")
	}
}

func TestOrgEnabled(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		optIn, optOut []string
		repo          string
		want          bool
	}{
		"no lists: everything":        {repo: "hardener", want: true},
		"opt-in by name":              {optIn: []string{"api"}, repo: "api", want: true},
		"opt-in by full name":         {optIn: []string{"acme/api"}, repo: "acme/api", want: true},
		"opt-in name vs full name":    {optIn: []string{"api"}, repo: "acme/api", want: true},
		"not opted in":                {optIn: []string{"api"}, repo: "web", want: false},
		"opt-in glob":                 {optIn: []string{"svc-*"}, repo: "acme/svc-billing", want: true},
		"opt-out":                     {optOut: []string{"legacy"}, repo: "legacy", want: false},
		"opt-out wins over opt-in":    {optIn: []string{"*"}, optOut: []string{"legacy-*"}, repo: "legacy-x", want: false},
		"opt-out glob misses":         {optOut: []string{"legacy-*"}, repo: "modern", want: true},
		"case-insensitive":            {optIn: []string{"API"}, repo: "Acme/api", want: true},
		"full-name pattern, no owner": {optIn: []string{"acme/api"}, repo: "api", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := Org{Config: Default(), Repositories: Repositories{OptIn: tc.optIn, OptOut: tc.optOut, AllowRepoOverride: true}}
			if got := o.Enabled(tc.repo); got != tc.want {
				t.Errorf("Enabled(%q) = %v, want %v", tc.repo, got, tc.want)
			}
		})
	}
}
