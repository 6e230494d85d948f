package pin

import (
	"context"
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/registry"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// Refresh keeps the pins that already exist current where Dependabot does
// not look: a workflow's or action's image pinned as name:tag@sha256:…
// gets the digest its tag points at now (the tag stays), and a pinned
// action whose version comment names a tag that is not at its commit
// (Dependabot moved the SHA and left the comment) gets the right tag in
// the comment. It never pins anything new, leaves Dockerfiles to
// Dependabot's docker ecosystem, which moves their digests itself, and
// does nothing in a repository that Renovate keeps up to date.
type Refresh struct{}

// ID is "refresh".
func (Refresh) ID() string { return checks.FixRefresh }

// Network implements remediations.Networked.
func (Refresh) Network() string {
	return "looks up where image tags point now at container registries, and action tags through the GitHub API"
}

// Apply refreshes the snapshot's pins. Without an image resolver no
// digest moves (each pinned image is reported); without an action
// resolver comments are not checked. When nothing changes it returns
// ErrNothingToFix together with a Result holding the notes.
func (Refresh) Apply(ctx context.Context, env *remediations.Env) (*remediations.Result, error) {
	var r actionResolver
	if env.Resolver != nil {
		r = env.Resolver
	}
	return refresh(ctx, env, r)
}

func refresh(ctx context.Context, env *remediations.Env, r actionResolver) (*remediations.Result, error) {
	res := &remediations.Result{ID: checks.FixRefresh, Title: "Refresh pins: image digests and version comments"}
	if checks.HasRenovate(env.Snapshot) {
		// Renovate updates workflow images and action pins, comments
		// included: a second bot moving the same lines only competes.
		return res, remediations.ErrNothingToFix
	}
	rf := &refresher{
		actions: &actionPlanner{ctx: ctx, r: r, exempt: env.Exempted, pins: map[string]pinAnswer{}, tags: map[string]tagsAnswer{}},
		images:  &imagePlanner{ctx: ctx, r: env.Images, exempt: env.Exempted, digests: map[string]digestAnswer{}},
		// pin-actions, when it runs, corrects the same comments first and
		// reports the ones it cannot: saying it twice helps nobody.
		quietComments: env.Config.Enabled(checks.FixPinActions),
	}
	var files []fileEdits
	for _, f := range checks.Load(env.Snapshot).Files {
		if f.Kind == workflow.KindWorkflow || f.Kind == workflow.KindAction {
			files = append(files, rf.file(f))
		}
	}
	notes := append(rf.actions.notes, rf.images.notes...)
	sort.SliceStable(notes, func(i, j int) bool {
		if notes[i].File != notes[j].File {
			return notes[i].File < notes[j].File
		}
		return notes[i].Line < notes[j].Line
	})
	return finish(res, files, notes, "refresh.md.tmpl")
}

// refresher plans the edits of one run; its planners ask each resolver
// once per distinct question.
type refresher struct {
	actions       *actionPlanner
	images        *imagePlanner
	quietComments bool
}

// file plans one file's edits in source order, so that the table of the
// explanation lists lines in order.
func (rf *refresher) file(f *workflow.File) fileEdits {
	fe := fileEdits{f: f}
	type item struct {
		start int
		uses  *target
		image *workflow.Value
	}
	var items []item
	ts := targets(f)
	perLine := map[int]int{}
	for i := range ts {
		perLine[ts[i].v.Line]++
		items = append(items, item{start: ts[i].v.Start, uses: &ts[i]})
	}
	for _, img := range f.Images {
		items = append(items, item{start: img.Start, image: &img.Value})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].start < items[j].start })
	for _, it := range items {
		if it.uses != nil {
			rf.comment(&fe, it.uses.v, perLine[it.uses.v.Line] > 1)
		} else {
			rf.image(&fe, it.image)
		}
	}
	return fe
}

// comment corrects the version comment of a pinned action when it names
// a version that no tag at the commit has. A missing comment, or one that
// names no version, is pin-actions' business, not a stale pin.
func (rf *refresher) comment(fe *fileEdits, v *workflow.Value, sharedLine bool) {
	p, f := rf.actions, fe.f
	u, ok := checks.ParseUses(v.Value)
	if !ok || u.Local || u.Docker || !checks.IsSHA(u.Ref) || len(u.Ref) != 40 || p.exempt(v.Value) || !v.Editable() || p.r == nil {
		return
	}
	tr := findTrailer(f.Source, v)
	if !tr.canComment || sharedLine && tr.flow {
		return
	}
	old, oldAt := commentVersion(f.Source.Src, tr)
	if old == "" {
		return
	}
	tags, err := p.tagsAt(u)
	if err != nil {
		if !rf.quietComments {
			p.note(f, v, "the version comment of %s was not checked: %v", v.Value, err)
		}
		return
	}
	for _, tag := range tags {
		if strings.TrimPrefix(old, "v") == strings.TrimPrefix(tag, "v") {
			return
		}
	}
	if len(tags) == 0 {
		if !rf.quietComments {
			p.note(f, v, "the comment of %s says %s, but no tag of %s/%s points at that commit", v.Value, old, u.Owner, u.Repo)
		}
		return
	}
	e, ok := commentEdit(f.Source.Src, tr, "", tags[0])
	if !ok {
		return
	}
	fe.add(e)
	fe.fixed = append(fe.fixed, mismatchFingerprint(f, v, oldAt))
	fe.row(v)
}

// image moves the digest of an image pinned as name:tag@sha256:… to the
// one the tag has now. An image pinned by digest alone has no tag to
// follow and stays as it is.
func (rf *refresher) image(fe *fileEdits, v *workflow.Value) {
	p, f := rf.images, fe.f
	ref, at, ok := taggedPin(v.Value)
	if !ok || p.exempt(v.Value) {
		return
	}
	image := strings.TrimPrefix(v.Value, "docker://")
	if p.r == nil {
		p.note(f, v, "image %s was not refreshed: no registry access (offline)", image[:at])
		return
	}
	d, err := p.digest(image[:at])
	if err != nil {
		p.note(f, v, "image %s was not refreshed: %v", image[:at], err)
		return
	}
	if d == ref.Digest {
		return
	}
	if !v.Editable() {
		p.note(f, v, "image %s now has digest %s, but the value is written with escapes or over several lines, so it cannot be edited in place", image[:at], d)
		return
	}
	start := v.ContentStart + len(v.Value) - len(image) + at + 1
	fe.add(edit.Edit{Start: start, End: v.ContentEnd, Text: d})
	fe.fixed = append(fe.fixed, fingerprint(checks.FixRefresh, image[:at], f, v.ContentStart))
	fe.row(v)
}

// taggedPin parses a literal image reference pinned with both a tag and a
// sha256 digest (docker:// allowed). at is the offset of the `@` in the
// value without its docker:// prefix.
func taggedPin(value string) (ref registry.Ref, at int, ok bool) {
	image := strings.TrimPrefix(value, "docker://")
	at = strings.IndexByte(image, '@')
	if at <= 0 {
		return registry.Ref{}, 0, false
	}
	// ParseRef refuses expressions and anything outside the reference
	// grammar; it reports a tag with a digest only when one is written.
	ref, err := registry.ParseRef(image)
	if err != nil || ref.Tag == "" || !digestRE.MatchString(ref.Digest) || image[at+1:] != ref.Digest {
		return registry.Ref{}, 0, false
	}
	return ref, at, true
}
