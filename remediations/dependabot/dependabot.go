// Package dependabot adds or extends .github/dependabot.yml so that pinned
// actions (and, when config lists them, the other detected ecosystems)
// receive updates. An existing file is extended by splicing bytes: its
// comments, quoting, indentation and line endings stay as they are.
package dependabot

import (
	"context"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// Path is the file created when the repository has none.
const Path = ".github/dependabot.yml"

// maxNew caps the entries added at once; the rest are reported.
const maxNew = 30

// Dependabot is the dependabot remediation.
type Dependabot struct{}

// ID implements remediations.Remediation.
func (Dependabot) ID() string { return checks.FixDependabot }

// newStyle is how a new file is written.
var newStyle = style{dash: "  ", key: "    ", step: "  ", quote: `"`, le: "\n"}

// Apply implements remediations.Remediation.
func (Dependabot) Apply(_ context.Context, env *remediations.Env) (*remediations.Result, error) {
	snap := env.Snapshot
	if checks.HasRenovate(snap) {
		return nil, remediations.ErrNothingToFix
	}
	wants, err := detect(snap, env.Config.Dependabot.Ecosystems)
	if err != nil {
		return nil, fmt.Errorf("dependabot: %w", err)
	}
	res := &remediations.Result{ID: checks.FixDependabot}
	if len(wants) > maxNew {
		for _, u := range wants[maxNew:] {
			res.Notes = append(res.Notes, remediations.Note{File: Path,
				Message: fmt.Sprintf("not added (more than %d new entries): %s in %s", maxNew, u.Ecosystem, u.Directory)})
		}
		wants = wants[:maxNew]
	}
	p := checks.DependabotPath(snap)
	var before, after []byte
	var added []update
	cooldown := env.Config.Dependabot.CooldownDays
	if p == "" {
		p = Path
		st := newStyle
		st.cooldown = cooldown
		var b strings.Builder
		for _, u := range wants {
			b.WriteString(st.entry(u))
		}
		s, err := templates.Render("dependabot.yml.tmpl", struct{ Updates string }{b.String()})
		if err != nil {
			return nil, fmt.Errorf("dependabot: %w", err)
		}
		after, added = []byte(s), wants
	} else {
		before, err = snap.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("dependabot: %w", err)
		}
		after, added, err = extend(before, wants, cooldown)
		if err != nil {
			res.Notes = append(res.Notes, remediations.Note{File: p, Line: 1,
				Message: fmt.Sprintf("%s was left unchanged: %v; add a github-actions entry by hand", p, err)})
			return res, remediations.ErrNothingToFix
		}
	}
	if len(added) == 0 {
		return res, remediations.ErrNothingToFix
	}
	res.Changes = []remediations.Change{{Path: p, Before: before, After: after}}
	res.Title = "Keep dependencies up to date with Dependabot"
	if before != nil {
		res.Title = "Extend the Dependabot configuration"
	}
	for _, f := range env.Findings {
		if f.Rule == checks.RuleMissingDependencyUpd {
			res.Fixed = append(res.Fixed, f.Fingerprint())
		}
	}
	res.Explanation, err = explanation(p, before == nil, added, cooldown)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// extend adds the entries src does not cover (updates.Entry.Covers, the
// scan's own test), each with the given cooldown. It returns the entries
// it added; errUnsafe (wrapped) when the file's shape is not one it edits.
func extend(src []byte, wants []update, cooldown int) ([]byte, []update, error) {
	d, err := parse(src)
	if err != nil {
		return nil, nil, err
	}
	le := edit.LineEnding(src)
	var missing []update
	for _, u := range wants {
		covered := false
		for _, e := range d.entries {
			covered = covered || e.Covers(u.Ecosystem, u.Directory)
		}
		if !covered {
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 {
		return src, nil, nil
	}
	var edits []edit.Edit
	// A new directory of an ecosystem whose entry lists `directories:` joins
	// that list.
	var rest []update
	listAdds := map[*existing][]string{}
	for _, u := range missing {
		var target *existing
		for i := range d.entries {
			if e := &d.entries[i]; e.Ecosystem == u.Ecosystem && e.TargetBranch == "" && e.dirsList != nil {
				target = e
				break
			}
		}
		if target == nil {
			rest = append(rest, u)
			continue
		}
		listAdds[target] = append(listAdds[target], u.Directory)
	}
	for e, dirs := range listAdds {
		ed, err := d.appendDirs(e, dirs, le)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, ed)
	}
	if len(rest) > 0 {
		ed, err := d.appendEntries(rest, le, cooldown)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, ed)
	}
	out, err := edit.Apply(src, edits)
	if err != nil {
		return nil, nil, err
	}
	return out, missing, nil
}

// appendDirs adds directories to a block `directories:` list.
func (d *doc) appendDirs(e *existing, dirs []string, le string) (edit.Edit, error) {
	last := e.dirsList.Content[len(e.dirsList.Content)-1]
	off := d.offset(last)
	dash, ok := d.dashBefore(off)
	if !ok {
		return edit.Edit{}, fmt.Errorf("unusual `directories:` layout: %w", errUnsafe)
	}
	start := edit.LineStart(d.src.Src, dash)
	s := style{quote: quoteOf(last)}
	var b strings.Builder
	for _, dir := range dirs {
		b.WriteString(string(d.src.Src[start:dash]) + "- " + s.q(dir) + le)
	}
	line, _ := d.src.Position(off)
	return insertAt(d.src.Src, d.itemEnd(line, dash-start), b.String(), le), nil
}

// appendEntries adds items at the end of `updates:`, or the key itself.
func (d *doc) appendEntries(us []update, le string, cooldown int) (edit.Edit, error) {
	src := d.src.Src
	s := newStyle
	s.le, s.cooldown = le, cooldown
	render := func() string {
		var b strings.Builder
		for _, u := range us {
			b.WriteString(s.entry(u))
		}
		return b.String()
	}
	switch {
	case d.root == nil || d.key == nil:
		s.dash, s.key = "  ", "    "
		if d.root != nil && len(d.root.Content) > 0 {
			if ind := d.root.Content[0].Column - 1; ind > 0 {
				return edit.Edit{}, fmt.Errorf("indented top level: %w", errUnsafe)
			}
		}
		return insertAt(src, len(src), "updates:"+le+render(), le), nil
	case d.updates.Kind == yaml.ScalarNode && d.updates.Tag == "!!null":
		keyOff := d.offset(d.key)
		line, _ := d.src.Position(keyOff)
		if !emptyValue(d.src.Line(line), "updates") {
			return edit.Edit{}, fmt.Errorf("unusual empty `updates:`: %w", errUnsafe)
		}
		ind := edit.Indent(src, keyOff)
		s.dash, s.key = ind+"  ", ind+"    "
		return insertAt(src, d.itemEnd(line, len(ind)), render(), le), nil
	case d.updates.Kind != yaml.SequenceNode || d.updates.Style&yaml.FlowStyle != 0 || len(d.updates.Content) == 0:
		return edit.Edit{}, fmt.Errorf("`updates:` is not a block list: %w", errUnsafe)
	}
	first := d.updates.Content[0]
	off := d.offset(first)
	dash, ok := d.dashBefore(off)
	if !ok || first.Kind != yaml.MappingNode {
		return edit.Edit{}, fmt.Errorf("unusual `updates:` layout: %w", errUnsafe)
	}
	lineStart := edit.LineStart(src, dash)
	s.dash = string(src[lineStart:dash])
	s.key = strings.Repeat(" ", off-lineStart)
	s.step = stepOf(first)
	for i := 0; i+1 < len(first.Content); i += 2 {
		if first.Content[i].Value == "package-ecosystem" {
			s.quote = quoteOf(first.Content[i+1])
		}
	}
	lastItem := d.updates.Content[len(d.updates.Content)-1]
	lastDash, ok := d.dashBefore(d.offset(lastItem))
	if !ok {
		return edit.Edit{}, fmt.Errorf("unusual `updates:` layout: %w", errUnsafe)
	}
	line, _ := d.src.Position(lastDash)
	return insertAt(src, d.itemEnd(line, lastDash-edit.LineStart(src, lastDash)), render(), le), nil
}
