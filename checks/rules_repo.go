package checks

import (
	"context"
	"encoding/json"
	"path"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/updates"
)

// SecurityPolicyPaths are where GitHub looks for a security policy.
var SecurityPolicyPaths = []string{"", ".github/", "docs/"}

// FindSecurityPolicy returns the path of the repository's security policy
// (SECURITY.md, .markdown, .rst, .txt or .adoc, any case), or "".
func FindSecurityPolicy(paths []string) string {
	for _, p := range paths {
		dir, base := path.Split(p)
		if !contains(SecurityPolicyPaths, dir) {
			continue
		}
		name := strings.ToLower(base)
		stem, ext, _ := strings.Cut(name, ".")
		if stem == "security" && (ext == "" || ext == "md" || ext == "markdown" || ext == "rst" || ext == "txt" || ext == "adoc") {
			return p
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type missingSecurityPolicy struct{}

func (missingSecurityPolicy) ID() string { return RuleMissingSecurityPolicy }

func (missingSecurityPolicy) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	paths, err := snap.Files()
	if err != nil {
		return nil, err
	}
	if FindSecurityPolicy(paths) != "" {
		return nil, nil
	}
	return []Finding{{Rule: RuleMissingSecurityPolicy, Severity: Low, Confidence: ConfidenceHigh,
		Message: "no SECURITY.md in the root, .github/ or docs/: researchers have no private way to report a vulnerability " +
			"(a policy in the organisation's .github repository also counts; the App checks that)",
		Primary: Location{File: "SECURITY.md", Line: 1, Column: 1}}}, nil
}

// RenovateConfigs are the files that configure Renovate.
var RenovateConfigs = []string{
	"renovate.json", "renovate.json5", ".github/renovate.json", ".github/renovate.json5",
	".gitlab/renovate.json", ".gitlab/renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
}

// HasRenovate reports whether Renovate is configured (its github-actions
// manager is on by default).
func HasRenovate(snap *repo.Snapshot) bool {
	for _, p := range RenovateConfigs {
		if snap.Has(p) {
			return true
		}
	}
	if b, err := snap.ReadFile("package.json"); err == nil {
		var pkg map[string]json.RawMessage
		if json.Unmarshal(b, &pkg) == nil && pkg["renovate"] != nil {
			return true
		}
	}
	return false
}

// DependabotPath returns the Dependabot config file if there is one.
func DependabotPath(snap *repo.Snapshot) string {
	for _, p := range updates.Paths {
		if snap.Has(p) {
			return p
		}
	}
	return ""
}

type missingDependencyUpdates struct{}

func (missingDependencyUpdates) ID() string { return RuleMissingDependencyUpd }

func (missingDependencyUpdates) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	if HasRenovate(snap) {
		return nil, nil
	}
	p := DependabotPath(snap)
	f := Finding{Rule: RuleMissingDependencyUpd, Severity: Low, Confidence: ConfidenceHigh,
		Message: "no Dependabot or Renovate configuration updates the github-actions ecosystem: pinned actions will " +
			"never receive security fixes",
		Primary: Location{File: ".github/dependabot.yml", Line: 1, Column: 1}}
	if p == "" {
		return []Finding{f}, nil
	}
	b, err := snap.ReadFile(p)
	if err != nil {
		return nil, err
	}
	f.Primary.File = p
	// One predicate with the dependabot remediation: an entry for `/`
	// counts whatever its target-branch.
	if cfg, err := updates.Parse(b); err == nil {
		if cfg.CoversActions() {
			return nil, nil
		}
		if cfg.Key != nil {
			f.Primary.Line, f.Primary.Column = cfg.Key.Line, cfg.Key.Column
		}
	}
	f.Message = p + " has no github-actions entry for the directory `/`: pinned actions will never receive security fixes"
	return []Finding{f}, nil
}
