package branchprot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// Key is the top-level key of the branch-protection block.
const Key = "branch-protection"

// newConfigHeader starts a `.github/hardener.yml` that Hardener creates.
const newConfigHeader = "# Hardener configuration. Keys not set here come from the organisation's\n" +
	"# .github/hardener.yml, or from Hardener's defaults.\n"

// bpComment introduces the proposed block.
const bpComment = "# Branch protection that Hardener applies to the default branch once this\n" +
	"# is on it (as the repository ruleset `hardener`).\n"

// Reviewed reports whether a configuration file (its content; nil when
// absent) holds a `branch-protection:` block: then the values are
// reviewed configuration and the App applies them.
func Reviewed(configFile []byte) bool { return hasTopLevelKey(configFile, Key) }

// Propose is the commit that adds a `branch-protection:` block with bp's
// values to the configuration file (before is its content; nil: absent),
// keeping every existing byte.
func Propose(before []byte, bp config.BranchProtectionConfig) (*remediations.Result, error) {
	after, err := appendBlock(before, bp)
	if err != nil {
		return nil, err
	}
	expl, err := templates.Render("branch-protection-explanation.md.tmpl", struct {
		Title, What, Why, Undo, Docs string
		Rules                        []string
	}{
		Title: "Branch protection as reviewed configuration",
		What: "Adds a `branch-protection:` block to `" + config.File + "` with the values your configuration asks for. " +
			"Nothing on GitHub changes until this is merged: then Hardener applies exactly these values to the default branch, and reports in its check run when the branch's protection drifts from them.",
		Why: "Without protection, anyone with write access can push straight to the default branch, force-push over its history or delete it, skipping review and CI. " +
			"Keeping the values in the repository means they are reviewed like code. OpenSSF Scorecard's Branch-Protection and Code-Review checks look for this.",
		Undo:  "Drop this commit from the pull request, or change the values before merging. To stop Hardener from managing protection, set `remediations: {branch-protection: false}` and delete the `hardener` ruleset.",
		Docs:  "https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets",
		Rules: describeBP(bp),
	})
	if err != nil {
		return nil, fmt.Errorf("branch-protection: %w", err)
	}
	return &remediations.Result{
		ID:          checks.FixBranchProtection,
		Title:       "Propose branch protection in " + config.File,
		Explanation: expl,
		Changes:     []remediations.Change{{Path: config.File, Before: before, After: after}},
	}, nil
}

// appendBlock adds the block at the end of the file, keeping
// every existing byte (and its line endings); a missing file is created
// with a short header. The result must parse to the same values.
func appendBlock(data []byte, bp config.BranchProtectionConfig) ([]byte, error) {
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	var b bytes.Buffer
	if data == nil {
		b.WriteString(newConfigHeader)
	} else {
		if err := appendable(data); err != nil {
			return nil, err
		}
		b.Write(data)
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteString("\n")
		}
		if len(bytes.TrimSpace(data)) > 0 {
			b.WriteString("\n")
		}
		b.WriteString(bpComment)
	}
	b.WriteString(bpBlock(bp))
	out := b.Bytes()
	if nl != "\n" {
		// Only the added lines are converted (they are written with LF):
		// the original bytes stay as they are.
		added := strings.ReplaceAll(string(out[len(data):]), "\n", nl)
		out = append(slices.Clone(data), added...)
	}
	c, err := config.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s with the block does not parse: %w", config.File, err)
	}
	if !sameBP(c.BranchProtection, bp) {
		return nil, fmt.Errorf("%s with the block reads back different values", config.File)
	}
	return out, nil
}

// appendable checks that a top-level key can be appended: one document
// whose root is a block mapping (or empty), not ended by `...`.
func appendable(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s holds more than one YAML document", config.File)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("%s is not a block mapping", config.File)
	}
	if t := strings.TrimRight(string(data), " \t\r\n"); strings.HasSuffix(t, "\n...") || t == "..." {
		return fmt.Errorf("%s ends its document with `...`", config.File)
	}
	return nil
}

// bpBlock renders the block; strings are JSON-quoted, which YAML reads.
func bpBlock(bp config.BranchProtectionConfig) string {
	var b strings.Builder
	b.WriteString(Key + ":\n")
	fmt.Fprintf(&b, "  required-approvals: %d\n", bp.RequiredApprovals)
	fmt.Fprintf(&b, "  dismiss-stale-reviews: %t\n", bp.DismissStaleReviews)
	fmt.Fprintf(&b, "  require-code-owner-review: %t\n", bp.RequireCodeOwnerReview)
	if len(bp.RequiredStatusChecks) == 0 {
		b.WriteString("  required-status-checks: []\n")
	} else {
		b.WriteString("  required-status-checks:\n")
		for _, c := range bp.RequiredStatusChecks {
			q, _ := json.Marshal(c)
			fmt.Fprintf(&b, "    - %s\n", q)
		}
	}
	fmt.Fprintf(&b, "  require-signed-commits: %t\n", bp.RequireSignedCommits)
	fmt.Fprintf(&b, "  block-force-pushes: %t\n", bp.BlockForcePushes)
	return b.String()
}

func sameBP(a, b config.BranchProtectionConfig) bool {
	return a.RequiredApprovals == b.RequiredApprovals && a.DismissStaleReviews == b.DismissStaleReviews &&
		a.RequireCodeOwnerReview == b.RequireCodeOwnerReview && a.RequireSignedCommits == b.RequireSignedCommits &&
		a.BlockForcePushes == b.BlockForcePushes && slices.Equal(a.RequiredStatusChecks, b.RequiredStatusChecks)
}

// hasTopLevelKey reports whether the YAML document's root mapping has key.
func hasTopLevelKey(data []byte, key string) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return true
		}
	}
	return false
}

// describeBP lists what the values enforce, for people.
func describeBP(bp config.BranchProtectionConfig) []string {
	out := []string{"changes reach the default branch only through pull requests, with " +
		plural(bp.RequiredApprovals, "approving review", "approving reviews")}
	if bp.DismissStaleReviews {
		out = append(out, "approvals are dismissed when new commits are pushed")
	}
	if bp.RequireCodeOwnerReview {
		out = append(out, "a code owner must approve changes to the files they own")
	}
	for _, c := range bp.RequiredStatusChecks {
		out = append(out, "status check "+strconv.Quote(c)+" must pass")
	}
	if bp.RequireSignedCommits {
		out = append(out, "commits must have verified signatures")
	}
	if bp.BlockForcePushes {
		out = append(out, "force pushes are blocked")
	}
	return append(out, "the branch cannot be deleted")
}
