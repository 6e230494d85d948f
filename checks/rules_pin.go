package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

type unpinnedUses struct{}

func (unpinnedUses) ID() string { return RuleUnpinnedUses }

// githubOwned are organisations whose actions GitHub itself maintains; a
// moved tag there is less likely, so the finding is medium, not high.
var githubOwned = map[string]bool{"actions": true, "github": true}

func (unpinnedUses) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		for _, v := range f.Uses() {
			u, ok := ParseUses(v.Value)
			if !ok || u.Local || u.Docker || IsSHA(u.Ref) {
				continue
			}
			sev := High
			if githubOwned[strings.ToLower(u.Owner)] {
				sev = Medium
			}
			what := "action"
			if u.Reusable() {
				what = "reusable workflow"
			}
			msg := fmt.Sprintf("%s %s is not pinned to a full commit SHA: whoever controls the %q ref decides what code runs", what, v.Value, u.Ref)
			if isShortSHA(u.Ref) {
				msg = fmt.Sprintf("%s %s uses a short SHA: it is not a pin (it can become ambiguous and is resolved like a branch); use the full 40-character SHA", what, v.Value)
			}
			out = append(out, Finding{Rule: RuleUnpinnedUses, Severity: sev, Confidence: ConfidenceHigh,
				Message: msg, Remediation: FixPinActions, Primary: loc(f, v), Subject: v.Value})
		}
	}
	return out, nil
}

func isShortSHA(s string) bool {
	if len(s) < 7 || len(s) >= 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

type unpinnedImage struct{}

func (unpinnedImage) ID() string { return RuleUnpinnedImage }

func (unpinnedImage) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	add := func(f *workflow.File, v *workflow.Value, image, where string) {
		if image == "" || strings.Contains(image, "${{") || strings.Contains(image, "@sha256:") {
			return
		}
		out = append(out, Finding{Rule: RuleUnpinnedImage, Severity: Medium, Confidence: ConfidenceHigh,
			Message:     fmt.Sprintf("image %s in %s has no @sha256: digest: the tag can be pushed again with different content", image, where),
			Remediation: FixPinImages, Primary: loc(f, v), Subject: image})
	}
	for _, f := range Load(snap).Files {
		for _, img := range f.Images {
			add(f, &img.Value, strings.TrimPrefix(img.Value.Value, "docker://"), img.Where)
		}
		if f.Dockerfile != nil {
			for _, fr := range f.Dockerfile.Froms {
				if fr.Skip == "" {
					add(f, &fr.Image, fr.Image.Value, "FROM")
				}
			}
		}
	}
	return out, nil
}
