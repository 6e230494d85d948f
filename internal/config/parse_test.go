package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/checks"
)

var ignoreUnexported = cmpopts.IgnoreUnexported(Config{})

var low = checks.FailAt(checks.Low)

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"empty":         "",
		"blank lines":   "\n\n  \n",
		"comments only": "# hardener config\n# mode: report\n",
		"explicit null": "~\n",
		"document mark": "---\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(Default(), c, ignoreUnexported); diff != "" {
				t.Errorf("not the defaults (-want +got):\n%s", diff)
			}
			if c.IsSet("fail-on") || c.FailOnOr(low) != low {
				t.Errorf("fail-on should be unset")
			}
		})
	}
}

func TestDefaultMatchesSpec(t *testing.T) {
	t.Parallel()
	// The block of SPEC §4, parsed, must give Default().
	spec := `
mode: pr                 # pr | report (check runs only: no PRs, no settings changes)
fail-on: high            # PR checks fail on introduced findings at or above this; never
remediations: {pin-actions: true, pin-images: true, permissions: true,
               security-policy: true, dependabot: true, signing: false, branch-protection: false}
exempt: [slsa-framework/slsa-github-generator/*]   # uses:/image globs left alone
paths-ignore: [testdata/**, vendor/**, node_modules/**, "**/__fixtures__/**", "**/fixtures/**"]
security-contact: ""     # e-mail or URL for SECURITY.md; default: private vulnerability reporting
dependabot: {ecosystems: [github-actions]}
branch-protection: {required-approvals: 1, dismiss-stale-reviews: true,
                    require-code-owner-review: false, required-status-checks: [],
                    require-signed-commits: false, block-force-pushes: true}
`
	c, err := Parse([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), c, ignoreUnexported); diff != "" {
		t.Errorf("(-default +spec):\n%s", diff)
	}
	org, err := ParseOrg([]byte(spec + "repositories: {opt-in: [], opt-out: [], allow-repo-override: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultRepositories(), org.Repositories); diff != "" {
		t.Errorf("(-default +spec):\n%s", diff)
	}
	if diff := cmp.Diff(DefaultDashboard(), org.Dashboard); diff != "" {
		t.Errorf("dashboard (-default +file without the block):\n%s", diff)
	}
}

func TestParseOrgDashboard(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want Dashboard
	}{
		"absent":          {"mode: pr\n", Dashboard{Enabled: false, Repository: ".github"}},
		"enabled":         {"dashboard: {enabled: true}\n", Dashboard{Enabled: true, Repository: ".github"}},
		"other repo":      {"dashboard:\n  enabled: true\n  repository: security-dashboard\n", Dashboard{Enabled: true, Repository: "security-dashboard"}},
		"null block":      {"dashboard:\n", Dashboard{Enabled: false, Repository: ".github"}},
		"dots and dashes": {"dashboard: {repository: .github-private_2}\n", Dashboard{Repository: ".github-private_2"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			org, err := ParseOrg([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if org.Dashboard != tc.want {
				t.Errorf("dashboard = %+v, want %+v", org.Dashboard, tc.want)
			}
		})
	}
}

func TestYAMLTagsRoundTrip(t *testing.T) {
	t.Parallel()
	out, err := yaml.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse of marshalled defaults: %v\n%s", err, out)
	}
	if diff := cmp.Diff(Default(), c, ignoreUnexported); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	src := `mode: report
fail-on: never
remediations:
  signing: true
  pin-images: false
exempt:
  - my-org/*
paths-ignore: []
security-contact: security@example.org
dependabot:
  ecosystems: [github-actions, gomod]
branch-protection:
  required-approvals: 2
  required-status-checks: [test, lint]
  block-force-pushes: false
`
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Mode = ModeReport
	want.FailOn = checks.FailNever
	want.Remediations[checks.FixSigning] = true
	want.Remediations[checks.FixPinImages] = false
	want.ExemptPatterns = []string{"my-org/*"}
	want.PathsIgnore = []string{}
	want.SecurityContact = "security@example.org"
	want.Dependabot.Ecosystems = []string{"github-actions", "gomod"}
	want.BranchProtection.RequiredApprovals = 2
	want.BranchProtection.RequiredStatusChecks = []string{"test", "lint"}
	want.BranchProtection.BlockForcePushes = false
	if diff := cmp.Diff(want, c, ignoreUnexported); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, k := range []string{"mode", "fail-on", "remediations.signing", "exempt", "branch-protection.required-approvals"} {
		if !c.IsSet(k) {
			t.Errorf("IsSet(%q) = false", k)
		}
	}
	for _, k := range []string{"remediations.permissions", "branch-protection.dismiss-stale-reviews"} {
		if c.IsSet(k) {
			t.Errorf("IsSet(%q) = true", k)
		}
	}
	if !c.Enabled(checks.FixSigning) || c.Enabled(checks.FixPinImages) || !c.Enabled(checks.FixPinActions) || c.Enabled("nonsense") {
		t.Errorf("Enabled gives the wrong answers: %v", c.Remediations)
	}
	if got := c.FailOnOr(low); got != checks.FailNever {
		t.Errorf("FailOnOr = %v", got)
	}
}

func TestParseAliases(t *testing.T) {
	t.Parallel()
	src := "exempt: &ex [a/b/*]\nbranch-protection:\n  required-status-checks: *ex\n"
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.BranchProtection.RequiredStatusChecks; len(got) != 1 || got[0] != "a/b/*" {
		t.Errorf("alias not followed: %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		org  bool
		want []string // substrings of the error, in order, one per error
	}{
		"unknown top-level key": {
			src:  "mode: pr\nfail_on: high\n",
			want: []string{`.github/hardener.yml:2: unknown key "fail_on" (valid keys: mode, fail-on, remediations`},
		},
		"unknown nested key": {
			src:  "branch-protection:\n  required-reviews: 2\n",
			want: []string{`.github/hardener.yml:2: unknown key "branch-protection.required-reviews" (valid keys in branch-protection: required-approvals,`},
		},
		"invalid mode": {
			src:  "mode: foo\n",
			want: []string{`.github/hardener.yml:1: mode: invalid value "foo" (valid: pr, report)`},
		},
		"invalid fail-on": {
			src:  "\nfail-on: critical\n",
			want: []string{`.github/hardener.yml:2: fail-on: invalid value "critical" (valid: info, low, medium, high, never)`},
		},
		"unknown remediation": {
			src:  "remediations:\n  pin-actions: true\n  pin-action: false\n",
			want: []string{`.github/hardener.yml:3: unknown key "remediations.pin-action" (valid keys in remediations: pin-actions, pin-images, permissions, security-policy, dependabot, signing, branch-protection, refresh)`},
		},
		"repositories in a repository file": {
			src:  "repositories:\n  opt-out: [x]\n",
			want: []string{`.github/hardener.yml:1: "repositories" is only allowed in the organisation's file`},
		},
		"remediation not a bool": {
			src:  "remediations: {signing: yes}\n",
			want: []string{`.github/hardener.yml:1: remediations.signing must be true or false, not the string "yes"`},
		},
		"mode not a string": {
			src:  "mode: [pr]\n",
			want: []string{`.github/hardener.yml:1: mode must be a string, not a list`},
		},
		"remediations not a mapping": {
			src:  "remediations: [pin-actions]\n",
			want: []string{`.github/hardener.yml:1: remediations must be a mapping, not a list`},
		},
		"exempt not a list": {
			src:  "exempt: a/b\n",
			want: []string{`.github/hardener.yml:1: exempt must be a list of strings, not the string "a/b"`},
		},
		"exempt entry not a string": {
			src:  "exempt:\n  - a/b\n  - {x: 1}\n",
			want: []string{`.github/hardener.yml:3: exempt entries must be a string, not a mapping`},
		},
		"malformed glob": {
			src:  "paths-ignore: ['docs/[a']\n",
			want: []string{`.github/hardener.yml:1: paths-ignore: malformed glob "docs/[a"`},
		},
		"approvals out of range": {
			src:  "branch-protection: {required-approvals: 7}\n",
			want: []string{`.github/hardener.yml:1: branch-protection.required-approvals must be between 0 and 6, not 7`},
		},
		"approvals not a number": {
			src:  "branch-protection: {required-approvals: two}\n",
			want: []string{`branch-protection.required-approvals must be a whole number, not the string "two"`},
		},
		"bad ecosystem": {
			src:  "dependabot: {ecosystems: [Go Modules]}\n",
			want: []string{`dependabot.ecosystems: "Go Modules" is not a Dependabot package-ecosystem name`},
		},
		"duplicate key": {
			src:  "mode: pr\nmode: report\n",
			want: []string{`.github/hardener.yml:2: duplicate key "mode"`},
		},
		"root not a mapping": {
			src:  "- mode: pr\n",
			want: []string{`.github/hardener.yml:1: the file must be a mapping, not a list`},
		},
		"invalid YAML": {
			src:  "mode: pr\nfail-on: [high\n",
			want: []string{`.github/hardener.yml:`, `invalid YAML`},
		},
		"two documents": {
			src:  "mode: pr\n---\nmode: report\n",
			want: []string{`only one YAML document is allowed`},
		},
		"several errors": {
			src:  "mode: foo\nfail-on: critical\nbogus: 1\n",
			want: []string{`:1: mode`, `:2: fail-on`, `:3: unknown key "bogus"`},
		},
		"org: unknown repositories key": {
			src:  "repositories:\n  optout: [x]\n",
			org:  true,
			want: []string{`.github/hardener.yml:2: unknown key "repositories.optout" (valid keys in repositories: opt-in, opt-out, allow-repo-override)`},
		},
		"org: allow-repo-override not a bool": {
			src:  "repositories: {allow-repo-override: no-way}\n",
			org:  true,
			want: []string{`repositories.allow-repo-override must be true or false`},
		},
		"dashboard in a repository file": {
			src:  "dashboard: {enabled: true}\n",
			want: []string{`.github/hardener.yml:1: "dashboard" is only allowed in the organisation's file`},
		},
		"org: unknown dashboard key": {
			src:  "dashboard:\n  enable: true\n",
			org:  true,
			want: []string{`.github/hardener.yml:2: unknown key "dashboard.enable" (valid keys in dashboard: enabled, repository)`},
		},
		"org: dashboard enabled not a bool": {
			src:  "dashboard: {enabled: yes}\n",
			org:  true,
			want: []string{`.github/hardener.yml:1: dashboard.enabled must be true or false, not the string "yes"`},
		},
		"org: dashboard repository with an owner": {
			src:  "dashboard:\n  repository: other-org/security\n",
			org:  true,
			want: []string{`.github/hardener.yml:2: dashboard.repository: "other-org/security" is not a repository name of the organisation`},
		},
		"org: dashboard repository dot-dot": {
			src:  "dashboard: {repository: ..}\n",
			org:  true,
			want: []string{`dashboard.repository: ".." is not a repository name`},
		},
		"org: same checks as repository files": {
			src:  "fail-on: critical\n",
			org:  true,
			want: []string{`.github/hardener.yml:1: fail-on: invalid value "critical"`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tc.org {
				_, err = ParseOrg([]byte(tc.src))
			} else {
				_, err = Parse([]byte(tc.src))
			}
			if err == nil {
				t.Fatal("no error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, not Errors", err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error\n%s\ndoes not contain (in order) %q", msg, w)
				}
				rest = rest[i+len(w):]
			}
			if name == "several errors" && len(errs) != 3 {
				t.Errorf("got %d errors, want 3", len(errs))
			}
		})
	}
}
