package checks

import (
	"context"
	"slices"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/updates"
	"github.com/hardener/hardener/internal/workflow"
)

// Rule IDs. They are part of the product contract (SPEC §2).
const (
	RuleUnpinnedUses          = "unpinned-uses"
	RuleUnpinnedImage         = "unpinned-image"
	RuleMissingPermissions    = "missing-permissions"
	RuleExcessivePermissions  = "excessive-permissions"
	RuleDangerousTrigger      = "dangerous-trigger"
	RuleUntrustedCheckout     = "untrusted-checkout"
	RuleTemplateInjection     = "template-injection"
	RuleSecretsInherit        = "secrets-inherit"
	RuleArtipacked            = "artipacked"
	RuleMissingSecurityPolicy = "missing-security-policy"
	RuleMissingDependencyUpd  = "missing-dependency-updates"
	RuleInvalidWorkflow       = "invalid-workflow"
	RuleImpostorCommit        = "impostor-commit"
	RuleRefVersionMismatch    = "ref-version-mismatch"
	RuleSpoofableBotCheck     = "spoofable-bot-check"
	RuleCachePoisoning        = "cache-poisoning"
	RuleLongLivedToken        = "long-lived-registry-token"
)

// Remediation IDs (SPEC §2): the one definition, used by the rules that
// name their fix, the remediations, and the `remediations:` config keys.
const (
	FixPinActions       = "pin-actions"
	FixPinImages        = "pin-images"
	FixPermissions      = "permissions"
	FixSecurityPolicy   = "security-policy"
	FixDependabot       = "dependabot"
	FixSigning          = "signing"
	FixBranchProtection = "branch-protection"
	// FixRefresh keeps existing pins current: image digests follow their
	// tag, stale version comments of pinned actions are corrected.
	FixRefresh = "refresh"
)

// RemediationIDs lists every remediation ID in a stable order.
func RemediationIDs() []string {
	return []string{FixPinActions, FixPinImages, FixPermissions, FixSecurityPolicy, FixDependabot, FixSigning, FixBranchProtection, FixRefresh}
}

// RuleMeta is everything known about a rule apart from its code: the
// documentation shown in SARIF, the check-run summary and docs/rules.md,
// and the facts the App and the engine act on. Each rule declares it once
// in ruleDocs; nothing else restates it.
type RuleMeta struct {
	ID       string
	Name     string
	Short    string
	Help     string
	Severity Severity // the highest severity the rule reports
	// Remediation is the ID of the remediation that fixes the rule's
	// findings, or "". The engine sets every finding's Remediation from it.
	Remediation string
	// Exploitable findings describe a weakness an outside contributor
	// may be able to use: the App keeps their details out of public
	// check runs and reports them in a draft security advisory.
	Exploitable bool
	// Reads reports whether the rule reads the file at a slash-separated
	// path from the repository root. Nil means the files the engine
	// parses (workflows, actions and Dockerfiles; see ReadsFile).
	Reads func(path string) bool
}

// ReadsFile reports whether the rule reads the file at path.
func (r RuleMeta) ReadsFile(path string) bool {
	if r.Reads == nil {
		return workflow.KindOf(path) != 0
	}
	return r.Reads(path)
}

// Reads reports whether any rule, online ones included, reads the file at
// path: a snapshot that lacks such a file scans differently.
func Reads(path string) bool {
	for _, r := range ruleDocs {
		if r.ReadsFile(path) {
			return true
		}
	}
	return false
}

// DocsURL is where a rule is documented.
func (r RuleMeta) DocsURL() string {
	return "https://github.com/hardener/hardener/blob/main/docs/rules.md#" + r.ID
}

// isSecurityPolicy reports the files missing-security-policy looks for.
func isSecurityPolicy(p string) bool { return FindSecurityPolicy([]string{p}) != "" }

// isDependencyUpdateConfig reports the files missing-dependency-updates
// reads: Dependabot's and Renovate's configuration, and package.json
// (whose "renovate" key configures Renovate too).
func isDependencyUpdateConfig(p string) bool {
	return p == "package.json" || slices.Contains(updates.Paths, p) || slices.Contains(RenovateConfigs, p)
}

// Rules lists every rule's metadata, in a stable order.
func Rules() []RuleMeta { return ruleDocs }

// Rule returns one rule's metadata.
func Rule(id string) (RuleMeta, bool) {
	for _, r := range ruleDocs {
		if r.ID == id {
			return r, true
		}
	}
	return RuleMeta{}, false
}

// All is the one list of offline checks, in report order.
func All() []Check {
	return []Check{
		unpinnedUses{},
		unpinnedImage{},
		missingPermissions{},
		excessivePermissions{},
		dangerousTrigger{},
		untrustedCheckout{},
		templateInjection{},
		secretsInherit{},
		artipacked{},
		missingSecurityPolicy{},
		missingDependencyUpdates{},
		invalidWorkflow{},
		spoofableBot{},
		cachePoisoning{},
		longLivedToken{},
	}
}

// invalidWorkflow reports the files that did not parse and the workflows
// GitHub would refuse (rules_valid.go).
type invalidWorkflow struct{}

func (invalidWorkflow) ID() string { return RuleInvalidWorkflow }

func (invalidWorkflow) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	return append(append([]Finding(nil), Load(snap).Invalid...), validity(snap)...), nil
}
