package checks

import (
	"context"
	"fmt"

	"github.com/hardener/hardener/internal/repo"
)

type secretsInherit struct{}

func (secretsInherit) ID() string { return RuleSecretsInherit }

// Run reports `secrets: inherit`. Handing every secret to a workflow of
// another repository gives its maintainers (and whoever moves its ref)
// all of them: high. A local workflow is reviewed with this repository:
// low.
func (secretsInherit) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			if j.SecretsInherit == nil || j.Uses == nil {
				continue
			}
			sev, msg := High, fmt.Sprintf("job %q passes every secret of this repository to %s, a workflow of another "+
				"repository whose maintainers then hold them all; pass only the secrets it needs, by name", j.ID, j.Uses.Value)
			if u, ok := ParseUses(j.Uses.Value); ok && u.Local {
				sev, msg = Low, fmt.Sprintf("job %q passes every secret of this repository to %s; pass only the secrets it "+
					"needs, by name, so that a change to that workflow cannot reach the others", j.ID, j.Uses.Value)
			}
			out = append(out, Finding{Rule: RuleSecretsInherit, Severity: sev, Confidence: ConfidenceHigh, Message: msg,
				Primary: loc(f, j.SecretsInherit), Subject: j.Uses.Value})
		}
	}
	return out, nil
}
