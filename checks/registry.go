package checks

import (
	"context"

	"github.com/hardener/hardener/internal/repo"
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

// Remediation IDs (SPEC §2).
const (
	FixPinActions       = "pin-actions"
	FixPinImages        = "pin-images"
	FixPermissions      = "permissions"
	FixSecurityPolicy   = "security-policy"
	FixDependabot       = "dependabot"
	FixSigning          = "signing"
	FixBranchProtection = "branch-protection"
)

// RuleMeta documents a rule for SARIF and the check-run summary.
type RuleMeta struct {
	ID          string
	Name        string
	Short       string
	Help        string
	Severity    Severity // the highest severity the rule reports
	Remediation string
}

// DocsURL is where a rule is documented.
func (r RuleMeta) DocsURL() string {
	return "https://github.com/hardener/hardener/blob/main/docs/rules.md#" + r.ID
}

// Rules lists every rule's documentation, in a stable order.
func Rules() []RuleMeta { return ruleDocs }

// Rule returns one rule's documentation.
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
