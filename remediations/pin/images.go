package pin

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/suppress"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// PinImages appends the multi-platform index digest to every container
// image of workflows, actions and Dockerfiles, keeping the tag for
// readability (node:20 → node:20@sha256:…).
type PinImages struct{}

// ID is "pin-images".
func (PinImages) ID() string { return checks.FixPinImages }

// Network implements remediations.Networked.
func (PinImages) Network() string {
	return "looks up image digests at container registries"
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Apply pins the snapshot's images. Without an image resolver (offline)
// nothing is pinned and every image is reported. When nothing changes it
// returns ErrNothingToFix together with a Result holding the notes.
func (PinImages) Apply(ctx context.Context, env *remediations.Env) (*remediations.Result, error) {
	p := &imagePlanner{ctx: ctx, r: env.Images, exempt: env.Exempted, digests: map[string]digestAnswer{}}
	var files []fileEdits
	for _, f := range checks.Load(env.Snapshot).Files {
		fe := fileEdits{f: f}
		for _, img := range f.Images {
			p.image(&fe, &img.Value)
		}
		if f.Dockerfile != nil {
			for i := range f.Dockerfile.Froms {
				if fr := &f.Dockerfile.Froms[i]; fr.Skip == "" {
					p.image(&fe, &fr.Image)
				}
			}
		}
		files = append(files, fe)
	}
	res := &remediations.Result{ID: checks.FixPinImages, Title: "Pin container images to digests"}
	return finish(res, files, p.notes, "pin-images.md.tmpl")
}

type digestAnswer struct {
	digest string
	err    error
}

// imagePlanner looks each distinct image up once per run.
type imagePlanner struct {
	ctx     context.Context
	r       remediations.ImageResolver
	exempt  func(string) bool
	digests map[string]digestAnswer
	notes   []remediations.Note
}

func (p *imagePlanner) note(f *workflow.File, v *workflow.Value, format string, args ...any) {
	p.notes = append(p.notes, remediations.Note{File: f.Path, Line: v.Line, Message: fmt.Sprintf(format, args...)})
}

func (p *imagePlanner) digest(image string) (string, error) {
	if a, ok := p.digests[image]; ok {
		return a.digest, a.err
	}
	d, err := p.r.Digest(p.ctx, image)
	if err == nil && !digestRE.MatchString(d) {
		err = fmt.Errorf("the registry answered %q, not a sha256 digest", d)
	}
	p.digests[image] = digestAnswer{d, err}
	return d, err
}

// pinnable reports whether image is a literal reference without a digest.
func pinnable(image string) bool {
	return image != "" && !strings.Contains(image, "@") && !strings.ContainsAny(image, "${} \t\r\n'\"#")
}

func (p *imagePlanner) image(fe *fileEdits, v *workflow.Value) {
	f := fe.f
	image := strings.TrimPrefix(v.Value, "docker://")
	if !pinnable(image) || p.exempt(v.Value) || suppress.Suppressed(f.Source, v.Line, checks.RuleUnpinnedImage) {
		return // a suppression comment stops the fix as it stops the finding
	}
	if !v.Editable() {
		p.note(f, v, "image %s is not pinned: the value is written with escapes or over several lines, so it cannot be edited in place", image)
		return
	}
	if p.r == nil {
		p.note(f, v, "image %s is not pinned: no registry access (offline), and a digest is never guessed", image)
		return
	}
	d, err := p.digest(image)
	if err != nil {
		p.note(f, v, "image %s is not pinned: %v", image, err)
		return
	}
	fe.add(edit.Edit{Start: v.ContentEnd, End: v.ContentEnd, Text: "@" + d})
	fe.fixed = append(fe.fixed, fingerprint(checks.RuleUnpinnedImage, image, f, v.ContentStart))
	fe.row(v)
}
