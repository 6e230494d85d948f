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
				Message: msg, Primary: loc(f, v), Subject: v.Value})
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
			Message: fmt.Sprintf("image %s in %s has no @sha256: digest: the tag can be pushed again with different content", image, where),
			Primary: loc(f, v), Subject: image})
	}
	for _, f := range Load(snap).Files {
		for _, img := range f.Images {
			add(f, &img.Value, strings.TrimPrefix(img.Value.Value, "docker://"), img.Where)
		}
		if f.Workflow != nil {
			for _, j := range f.Workflow.Jobs {
				for _, img := range append([]*workflow.Image{j.Container}, j.Services...) {
					out = append(out, derivedImages(f, j, img)...)
				}
			}
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

// derivedImages reports the images a `container:` or `services:` image
// built from one `${{ matrix.… }}` expression resolves to, when the
// values are literal tags in the same file. Each finding is at the value
// that names the tag, where the digest goes.
func derivedImages(f *workflow.File, j *workflow.Job, img *workflow.Image) []Finding {
	if img == nil || !strings.Contains(img.Value.Value, "${{") {
		return nil
	}
	exprs := workflow.Expressions(img.Value.Value)
	if len(exprs) != 1 {
		return nil // several expressions: the combinations are not expanded
	}
	x := exprs[0]
	n := x.Parse()
	if n == nil || n.Kind != workflow.NodeContext {
		return nil
	}
	prefix, suffix := img.Value.Value[:x.Offset], img.Value.Value[x.Offset+len(x.Raw):]
	var values []*workflow.Value
	// Only the matrix: GitHub offers no env context in container: and
	// services: (a workflow that uses one there is invalid-workflow).
	segs := strings.Split(n.Ref.Path, ".")
	if segs[0] == "matrix" && len(segs) > 1 {
		vals, dyn := j.Matrix.Values(segs[1:])
		if len(dyn) > 0 {
			return nil // the matrix is decided at run time
		}
		values = vals
	}
	var out []Finding
	seen := map[int]bool{}
	for _, v := range values {
		image := prefix + v.Value + suffix
		if seen[v.ContentStart] || image == "" || strings.Contains(image, "${{") || strings.Contains(image, "@sha256:") {
			continue
		}
		seen[v.ContentStart] = true
		out = append(out, Finding{Rule: RuleUnpinnedImage, Severity: Medium, Confidence: ConfidenceHigh,
			Message: fmt.Sprintf("image %s (%s = %s, used by %s of job %q) has no @sha256: digest: the tag can be pushed "+
				"again with different content; add the digest to the value", image, n.Ref.Raw, v.Value, img.Where, j.ID),
			Primary: loc(f, v), Related: []Location{related(f, &img.Value, "the image built from it")}, Subject: image})
	}
	return out
}

func lookupKV(kvs []workflow.KV, name string) *workflow.Value {
	for i := range kvs {
		if strings.EqualFold(kvs[i].Key.Value, name) {
			return &kvs[i].Value
		}
	}
	return nil
}
