// Package config reads `.github/hardener.yml`: the repository's file and the
// organisation-wide file in the org's `.github` repository.
//
// Precedence, per key: built-in defaults < organisation file < repository
// file. A key the repository file sets wins; lists replace the lower layer's
// list, maps (remediations, dependabot, branch-protection) merge key by key.
// An organisation that sets `repositories: {allow-repo-override: false}`
// makes the repository file ignored, which Merge reports in Config.Notes.
//
// Loading is strict: unknown keys, wrong types and invalid values are errors
// naming the file and line, never a silent fallback to defaults.
package config

import (
	"slices"

	"github.com/hardener/hardener/checks"
)

// File is where both the repository and the organisation file live.
const File = ".github/hardener.yml"

// Mode says whether the App opens pull requests.
type Mode string

// Modes.
const (
	// ModePR opens hardening pull requests and applies settings.
	ModePR Mode = "pr"
	// ModeReport only posts check runs: no PRs, no settings changes.
	ModeReport Mode = "report"
)

// DefaultFailOn is the App's `fail-on` when no file sets it. The CLI uses
// its own default (`low`); see Config.FailOnOr.
var DefaultFailOn = checks.FailAt(checks.High)

// Config is the effective configuration of one repository.
type Config struct {
	Mode   Mode          `yaml:"mode"`
	FailOn checks.FailOn `yaml:"fail-on"`
	// Remediations holds every remediation ID (checks.RemediationIDs);
	// see Enabled.
	Remediations     map[string]bool        `yaml:"remediations"`
	ExemptPatterns   []string               `yaml:"exempt"`
	PathsIgnore      []string               `yaml:"paths-ignore"`
	SecurityContact  string                 `yaml:"security-contact"`
	Dependabot       DependabotConfig       `yaml:"dependabot"`
	BranchProtection BranchProtectionConfig `yaml:"branch-protection"`
	SecurityPolicy   SecurityPolicyConfig   `yaml:"security-policy"`

	// Notes are warnings for the user (shown in the check run), e.g. that
	// the organisation forbids repository overrides.
	Notes []string `yaml:"-"`

	// settings are what a file set, in order; set names their keys.
	settings []setting
	set      map[string]bool
}

// DependabotConfig is the `dependabot:` block.
type DependabotConfig struct {
	// Ecosystems are added besides github-actions only when listed here.
	Ecosystems []string `yaml:"ecosystems"`
	// CooldownDays is the `cooldown: {default-days: N}` of new entries:
	// how long a release must be out before Dependabot proposes it. 0
	// writes no cooldown.
	CooldownDays int `yaml:"cooldown-days"`
}

// BranchProtectionConfig is the `branch-protection:` block: the protection
// the App proposes and, once merged, applies as the `hardener` ruleset.
type BranchProtectionConfig struct {
	RequiredApprovals      int      `yaml:"required-approvals"`
	DismissStaleReviews    bool     `yaml:"dismiss-stale-reviews"`
	RequireCodeOwnerReview bool     `yaml:"require-code-owner-review"`
	RequiredStatusChecks   []string `yaml:"required-status-checks"`
	RequireSignedCommits   bool     `yaml:"require-signed-commits"`
	BlockForcePushes       bool     `yaml:"block-force-pushes"`
}

// Org is the organisation file: defaults for every repository plus the
// `repositories:` block.
type Org struct {
	Config       Config
	Repositories Repositories
	Dashboard    Dashboard
}

// Repositories is the organisation file's `repositories:` block.
type Repositories struct {
	// OptIn lists repository names or globs; empty means every repository.
	OptIn []string `yaml:"opt-in"`
	// OptOut wins over OptIn.
	OptOut []string `yaml:"opt-out"`
	// AllowRepoOverride false makes repository files ignored.
	AllowRepoOverride bool `yaml:"allow-repo-override"`
}

// Dashboard is the organisation file's `dashboard:` block: one issue,
// kept up to date by the App, that shows where every repository stands.
type Dashboard struct {
	// Enabled turns the dashboard issue on; it is off by default.
	Enabled bool `yaml:"enabled"`
	// Repository is the organisation's repository the issue lives in
	// (a name, not owner/name; default ".github"). When it is public,
	// private repositories are counted in the totals but not named.
	Repository string `yaml:"repository"`
}

// DefaultDashboardRepository is where the dashboard issue lives unless the
// organisation file names another repository.
const DefaultDashboardRepository = ".github"

// DefaultDashboard is the `dashboard:` block when the org file has none.
func DefaultDashboard() Dashboard {
	return Dashboard{Enabled: false, Repository: DefaultDashboardRepository}
}

// Default returns the built-in configuration of SPEC §4.
func Default() Config {
	return Config{
		Mode:   ModePR,
		FailOn: DefaultFailOn,
		Remediations: map[string]bool{
			checks.FixPinActions: true, checks.FixPinImages: true, checks.FixPermissions: true,
			checks.FixSecurityPolicy: true, checks.FixDependabot: true,
			checks.FixSigning: false, checks.FixBranchProtection: false,
			// Only moves pins that already exist, as Dependabot does for
			// what it watches.
			checks.FixRefresh: true,
		},
		ExemptPatterns: []string{"slsa-framework/slsa-github-generator/*"},
		PathsIgnore:    []string{"testdata/**", "vendor/**", "node_modules/**", "**/__fixtures__/**", "**/fixtures/**"},
		Dependabot:     DependabotConfig{Ecosystems: []string{"github-actions"}, CooldownDays: DefaultCooldownDays},
		BranchProtection: BranchProtectionConfig{
			RequiredApprovals:    1,
			DismissStaleReviews:  true,
			RequiredStatusChecks: []string{},
			BlockForcePushes:     true,
		},
	}
}

// DefaultRepositories is the `repositories:` block when the org file has none.
func DefaultRepositories() Repositories {
	return Repositories{OptIn: []string{}, OptOut: []string{}, AllowRepoOverride: true}
}

// IsSet reports whether a file set key, a dotted path such as "fail-on",
// "remediations.signing" or "branch-protection.required-approvals".
func (c Config) IsSet(key string) bool { return c.set[key] }

// FailOnOr returns FailOn when a file set it, and fallback otherwise: the
// CLI passes "low", the App DefaultFailOn.
func (c Config) FailOnOr(fallback checks.FailOn) checks.FailOn {
	if c.IsSet("fail-on") {
		return c.FailOn
	}
	return fallback
}

// Enabled reports whether the remediation is switched on. Unknown IDs are off.
func (c Config) Enabled(remediationID string) bool { return c.Remediations[remediationID] }

// setting is one value a file set, kept so that Merge can replay a file on
// top of another layer.
type setting struct {
	key   string
	apply func(*Config)
}

// with returns c with the settings applied in order.
func (c Config) with(ss []setting) Config {
	c.Remediations = cloneMap(c.Remediations)
	c.ExemptPatterns = slices.Clone(c.ExemptPatterns)
	c.PathsIgnore = slices.Clone(c.PathsIgnore)
	c.Dependabot.Ecosystems = slices.Clone(c.Dependabot.Ecosystems)
	c.BranchProtection.RequiredStatusChecks = slices.Clone(c.BranchProtection.RequiredStatusChecks)
	c.Notes = slices.Clone(c.Notes)
	set := make(map[string]bool, len(c.set)+len(ss))
	for k := range c.set {
		set[k] = true
	}
	for _, s := range ss {
		s.apply(&c)
		set[s.key] = true
	}
	c.set = set
	c.settings = append(slices.Clip(c.settings), ss...)
	return c
}

func cloneMap(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
