// Package pin holds the remediations that pin what CI runs to immutable
// references: actions and reusable workflows to commit SHAs (pin-actions)
// and container images to digests (pin-images). Both edit bytes in place:
// only the ref (or the appended digest) and the version comment change.
package pin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/resolve"
	"github.com/hardener/hardener/internal/suppress"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// PinActions pins every remote `uses:` of workflows and composite actions
// to a verified commit SHA with the most specific tag in a comment.
type PinActions struct{}

// ID is "pin-actions".
func (PinActions) ID() string { return checks.FixPinActions }

// Network implements remediations.Networked.
func (PinActions) Network() string {
	return "resolves action tags to commit SHAs through the GitHub API"
}

// actionResolver is what pin-actions asks of internal/resolve.
type actionResolver interface {
	Resolve(ctx context.Context, owner, repo, ref string) (resolve.Pin, error)
	TagsAt(ctx context.Context, owner, repo, sha string) ([]string, error)
}

// Apply pins the snapshot's actions. Without a Resolver (offline) nothing
// is pinned and every remote ref is reported. When nothing changes it
// returns ErrNothingToFix together with a Result holding the notes.
func (PinActions) Apply(ctx context.Context, env *remediations.Env) (*remediations.Result, error) {
	var r actionResolver
	if env.Resolver != nil {
		r = env.Resolver
	}
	return pinActions(ctx, env, r)
}

func pinActions(ctx context.Context, env *remediations.Env, r actionResolver) (*remediations.Result, error) {
	p := &actionPlanner{ctx: ctx, r: r, exempt: env.Exempted,
		pins: map[string]pinAnswer{}, tags: map[string]tagsAnswer{}}
	var files []fileEdits
	for _, f := range checks.Load(env.Snapshot).Files {
		if f.Kind == workflow.KindWorkflow || f.Kind == workflow.KindAction {
			files = append(files, p.file(f))
		}
	}
	res := &remediations.Result{ID: checks.FixPinActions, Title: "Pin actions to commit SHAs"}
	return finish(res, files, p.notes, "pin-actions.md.tmpl")
}

// target is one distinct `uses:` value of a file.
type target struct {
	v *workflow.Value
	// oidc is set for a job-level reusable workflow whose job gets
	// `id-token: write`.
	oidc bool
}

// targets lists a file's `uses:` values once per source position (an
// anchor reached through aliases is edited once, at the anchor).
func targets(f *workflow.File) []target {
	byStart := map[int]*target{}
	var order []int
	add := func(v *workflow.Value, oidc bool) {
		if v == nil {
			return
		}
		if t, ok := byStart[v.Start]; ok {
			t.oidc = t.oidc || oidc
			return
		}
		byStart[v.Start] = &target{v: v, oidc: oidc}
		order = append(order, v.Start)
	}
	if w := f.Workflow; w != nil {
		for _, j := range w.Jobs {
			add(j.Uses, grantsIDToken(w, j))
			for _, s := range j.Steps {
				add(s.Uses, false)
			}
		}
	}
	if a := f.Action; a != nil {
		for _, s := range a.Steps {
			add(s.Uses, false)
		}
	}
	sort.Ints(order)
	out := make([]target, 0, len(order))
	for _, s := range order {
		out = append(out, *byStart[s])
	}
	return out
}

// grantsIDToken reports whether a job runs with `id-token: write`: its
// own block, or the workflow's when it has none.
func grantsIDToken(w *workflow.Workflow, j *workflow.Job) bool {
	perms := j.Permissions
	if perms == nil {
		perms = w.Permissions
	}
	if perms == nil {
		return false
	}
	return perms.All == "write-all" || perms.Level("id-token") == "write"
}

type pinAnswer struct {
	pin resolve.Pin
	err error
}

type tagsAnswer struct {
	tags []string
	err  error
}

// actionPlanner decides the edits; it asks the resolver once per distinct
// owner/repo@ref (and owner/repo@sha for comments) per run.
type actionPlanner struct {
	ctx    context.Context
	r      actionResolver
	exempt func(string) bool
	pins   map[string]pinAnswer
	tags   map[string]tagsAnswer
	notes  []remediations.Note
}

func (p *actionPlanner) resolve(u checks.Uses) (resolve.Pin, error) {
	key := strings.ToLower(u.Owner+"/"+u.Repo) + "@" + u.Ref
	if a, ok := p.pins[key]; ok {
		return a.pin, a.err
	}
	pin, err := p.r.Resolve(p.ctx, u.Owner, u.Repo, u.Ref)
	p.pins[key] = pinAnswer{pin, err}
	return pin, err
}

func (p *actionPlanner) tagsAt(u checks.Uses) ([]string, error) {
	key := strings.ToLower(u.Owner + "/" + u.Repo + "@" + u.Ref)
	if a, ok := p.tags[key]; ok {
		return a.tags, a.err
	}
	tags, err := p.r.TagsAt(p.ctx, u.Owner, u.Repo, u.Ref)
	p.tags[key] = tagsAnswer{tags, err}
	return tags, err
}

func (p *actionPlanner) note(f *workflow.File, v *workflow.Value, format string, args ...any) {
	p.notes = append(p.notes, remediations.Note{File: f.Path, Line: v.Line, Message: fmt.Sprintf(format, args...)})
}

// file plans the edits of one file.
func (p *actionPlanner) file(f *workflow.File) fileEdits {
	fe := fileEdits{f: f}
	ts := targets(f)
	// A flow-mapping comment goes at the end of the line: only one value
	// per line may own it.
	perLine := map[int]int{}
	for _, t := range ts {
		perLine[t.v.Line]++
	}
	for _, t := range ts {
		p.target(&fe, t, perLine[t.v.Line] > 1)
	}
	return fe
}

func (p *actionPlanner) target(fe *fileEdits, t target, sharedLine bool) {
	f, v := fe.f, t.v
	u, ok := checks.ParseUses(v.Value)
	if !ok || u.Local || u.Docker || p.exempt(v.Value) {
		return
	}
	pinned := checks.IsSHA(u.Ref)
	if pinned && len(u.Ref) != 40 {
		return // a SHA-256 object name: nothing to resolve against
	}
	// A suppression comment stops the fix of that place, as it stops the
	// finding: pinning for unpinned-uses, the version comment for
	// ref-version-mismatch.
	rule := checks.RuleUnpinnedUses
	if pinned {
		rule = checks.RuleRefVersionMismatch
	}
	if suppress.Suppressed(f.Source, v.Line, rule) {
		return
	}
	if t.oidc && !pinned {
		p.note(f, v, "%s is left on %q: its job grants `id-token: write`, and pinning a reusable workflow to a SHA "+
			"changes the OIDC `job_workflow_ref` claim that cloud trust policies and signing identities match on", v.Value, u.Ref)
		return
	}
	if !v.Editable() {
		if !pinned {
			p.note(f, v, "%s is not pinned: the value is written with escapes or over several lines, so it cannot be edited in place", v.Value)
		}
		return
	}
	if p.r == nil {
		if !pinned {
			p.note(f, v, "%s is not pinned: no GitHub API access (offline), and a SHA is never guessed", v.Value)
		}
		return
	}
	tr := findTrailer(f.Source, v)
	if sharedLine && tr.flow && tr.canComment {
		tr.canComment, tr.hash = false, -1
		tr.why = "several flow mappings share the line"
	}
	if pinned {
		p.comment(fe, t, u, tr)
		return
	}
	pin, err := p.resolve(u)
	switch {
	case errors.Is(err, resolve.ErrUnreachable):
		p.note(f, v, "%s is not pinned: %q points at commit %s, which is on no branch of %s/%s; a retagged or impostor "+
			"commit looks like this, so check the upstream repository before pinning by hand", v.Value, u.Ref, short(pin.SHA), u.Owner, u.Repo)
		return
	case errors.Is(err, resolve.ErrNotFound):
		p.note(f, v, "%s is not pinned: the repository or ref %q was not found", v.Value, u.Ref)
		return
	case err != nil:
		p.note(f, v, "%s is not pinned: %v", v.Value, err)
		return
	case !checks.IsSHA(pin.SHA):
		p.note(f, v, "%s is not pinned: the resolver returned no commit SHA", v.Value)
		return
	}
	at := v.ContentStart + strings.IndexByte(v.Value, '@') + 1
	fe.add(edit.Edit{Start: at, End: v.ContentEnd, Text: pin.SHA})
	fe.fixed = append(fe.fixed, fingerprint(checks.RuleUnpinnedUses, v.Value, f, v.ContentStart))
	tag := pin.Tag
	if tag == "" && !isHex(u.Ref) {
		tag = u.Ref // a branch without a release tag: name the branch
	}
	if tag != "" {
		if !tr.canComment {
			p.note(f, v, "%s is pinned to %s without a `# %s` comment: %s", v.Value, short(pin.SHA), tag, tr.why)
		} else if e, ok := commentEdit(f.Source.Src, tr, u.Ref, tag); ok {
			fe.add(e)
		}
	}
	fe.row(v)
}

// comment adds or corrects the version comment of an already pinned SHA.
// A comment that names a tag pointing at the commit is left as it is, and
// so is one that names no version (human text).
func (p *actionPlanner) comment(fe *fileEdits, t target, u checks.Uses, tr trailer) {
	f, v := fe.f, t.v
	old, oldAt := commentVersion(f.Source.Src, tr)
	if !tr.canComment || tr.hash >= 0 && old == "" {
		return
	}
	tags, err := p.tagsAt(u)
	if err != nil {
		p.note(f, v, "the version comment of %s was not checked: %v", v.Value, err)
		return
	}
	if len(tags) == 0 {
		if old != "" {
			p.note(f, v, "the comment of %s says %s, but no tag of %s/%s points at that commit", v.Value, old, u.Owner, u.Repo)
		}
		return
	}
	for _, tag := range tags {
		if old != "" && strings.TrimPrefix(old, "v") == strings.TrimPrefix(tag, "v") {
			return
		}
	}
	e, ok := commentEdit(f.Source.Src, tr, "", tags[0])
	if !ok {
		return
	}
	fe.add(e)
	if old != "" {
		fe.fixed = append(fe.fixed, mismatchFingerprint(f, v, oldAt))
	}
	fe.row(v)
}

// mismatchFingerprint is the fingerprint of the ref-version-mismatch
// finding for a value, located as that rule locates it.
func mismatchFingerprint(f *workflow.File, v *workflow.Value, fallback int) string {
	src := f.Source.Src
	line, _ := f.Source.Position(v.End)
	rest := string(src[v.End:f.Source.LineEnd(line)])
	_, c, _ := strings.Cut(rest, "#")
	c = strings.TrimSpace(c)
	c = strings.TrimPrefix(strings.TrimPrefix(c, "tag="), "tag:")
	c, _, _ = strings.Cut(c, " ")
	if i := strings.Index(string(src[v.End:]), strings.TrimSpace(c)); c != "" && i >= 0 {
		return fingerprint(checks.RuleRefVersionMismatch, v.Value, f, v.End+i)
	}
	return fingerprint(checks.RuleRefVersionMismatch, v.Value, f, fallback)
}

// fingerprint is checks.Finding.Fingerprint of the finding that rule
// reports about subject at offset off of f.
func fingerprint(rule, subject string, f *workflow.File, off int) string {
	line, col := f.Source.Position(off)
	return checks.Finding{Rule: rule, Subject: subject, Snippet: f.Source.Line(line),
		Primary: checks.Location{File: f.Path, Line: line, Column: col}}.Fingerprint()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
