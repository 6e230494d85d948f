package signing

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
)

// errUnsafe means an existing publisher cannot be extended by splicing.
var errUnsafe = errors.New("cannot be changed safely")

// extendPublisher returns the edits that make an existing publisher
// attest what it publishes, or an error saying why it is only reported.
// gr is the repository's GoReleaser configuration, or nil.
func extendPublisher(p publisher, gr *goReleaser) ([]edit.Edit, error) {
	switch {
	case p.Kind == "npm publish" && strings.Contains(p.Step.Run.String(), "npm publish"):
		e, err := npmProvenance(p)
		if err != nil {
			return nil, err
		}
		perms, err := ensurePermissions(p.File, p.Job, "id-token")
		if err != nil {
			return nil, err
		}
		return append(perms, e), nil
	case p.Kind == "goreleaser" && action(p.Step) == "goreleaser/goreleaser-action":
		// The attestation names the checksums file; GoReleaser's default
		// name carries the version, so only a configuration that names it
		// plainly can be extended.
		if gr == nil || gr.Checksums == "" {
			return nil, fmt.Errorf("the name of GoReleaser's checksums file is not known (set checksum.name_template to a plain name such as checksums.txt): %w", errUnsafe)
		}
		if v := p.Step.WithValue("workdir"); v != nil && v.Value != "" && v.Value != "." {
			return nil, fmt.Errorf("GoReleaser runs in workdir %q: %w", v.Value, errUnsafe)
		}
		e, err := attestAfter(p, "subject-checksums: "+gr.Checksums)
		if err != nil {
			return nil, err
		}
		perms, err := ensurePermissions(p.File, p.Job, "id-token", "attestations")
		if err != nil {
			return nil, err
		}
		return append(perms, e), nil
	}
	return nil, fmt.Errorf("%s has no automatic attestation edit: %w", p.Kind, errUnsafe)
}

// npmProvenance inserts " --provenance" after each `npm publish` of the
// step's run script.
func npmProvenance(p publisher) (edit.Edit, error) {
	src := p.File.Source.Src
	start, end := runSpan(p.File.Source, p.Step.Run)
	if start < 0 {
		return edit.Edit{}, fmt.Errorf("the run script's layout: %w", errUnsafe)
	}
	i := strings.Index(string(src[start:end]), "npm publish")
	if i < 0 {
		return edit.Edit{}, fmt.Errorf("`npm publish` is not written verbatim: %w", errUnsafe)
	}
	off := start + i + len("npm publish")
	return edit.Edit{Start: off, End: off, Text: " --provenance"}, nil
}

// runSpan returns the bytes of a run script in the source: the token of a
// one-line scalar, or the lines of a block scalar.
func runSpan(s *workflow.Source, v *workflow.Value) (int, int) {
	if v.Editable() {
		return v.ContentStart, v.ContentEnd
	}
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return -1, -1
	}
	line, _ := s.Position(v.ContentStart)
	indent := len(edit.Indent(s.Src, v.ContentStart))
	end := s.LineEnd(line)
	for n := line + 1; n <= s.Lines(); n++ {
		text := s.Line(n)
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(text)-len(strings.TrimLeft(text, " ")) < indent {
			break
		}
		end = s.LineEnd(n)
	}
	return v.ContentStart, end
}

// stepBounds returns the offset of a step's "-", its column, and the
// offset after its last line.
func stepBounds(s *workflow.Source, st *workflow.Step) (dash, col, end int, err error) {
	off := s.Offset(st.Node.Line, st.Node.Column)
	i := off - 1
	for i >= 0 && s.Src[i] == ' ' {
		i--
	}
	if i < 0 || s.Src[i] != '-' {
		return 0, 0, 0, fmt.Errorf("the step's layout: %w", errUnsafe)
	}
	ls := edit.LineStart(s.Src, i)
	if strings.TrimLeft(string(s.Src[ls:i]), " ") != "" {
		return 0, 0, 0, fmt.Errorf("the step's layout: %w", errUnsafe)
	}
	line, _ := s.Position(i)
	last := line
	for n := line + 1; n <= s.Lines(); n++ {
		text := s.Line(n)
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(text)-len(strings.TrimLeft(text, " ")) <= i-ls {
			break
		}
		last = n
	}
	end = s.LineEnd(last)
	if end < len(s.Src) {
		end = s.LineStart(last + 1)
	}
	return i, i - ls, end, nil
}

// attestAfter inserts an attest-build-provenance step after p's step.
func attestAfter(p publisher, with string) (edit.Edit, error) {
	s := p.File.Source
	_, col, end, err := stepBounds(s, p.Step)
	if err != nil {
		return edit.Edit{}, err
	}
	le := s.LineEnding()
	pad := strings.Repeat(" ", col)
	text := pad + "- uses: " + uses()["actions/attest-build-provenance"] + le +
		pad + "  with:" + le +
		pad + "    " + with + le
	if end == len(s.Src) && len(s.Src) > 0 && s.Src[len(s.Src)-1] != '\n' {
		text = le + strings.TrimSuffix(text, le)
	}
	return edit.Edit{Start: end, End: end, Text: text}, nil
}

// ensurePermissions grants the job `write` on each scope, keeping every
// other permission it has. A job without its own block gets one that
// copies the workflow's block; without any block (the repository default
// applies) or with a shorthand, nothing is changed.
func ensurePermissions(f *workflow.File, job *workflow.Job, scopes ...string) ([]edit.Edit, error) {
	s := f.Source
	le := s.LineEnding()
	perm := job.Permissions
	if perm == nil {
		wf := f.Workflow.Permissions
		switch {
		case wf == nil:
			return nil, fmt.Errorf("the job runs with the repository's default token permissions, which are unknown here: %w", errUnsafe)
		case wf.All == "write-all":
			return nil, nil
		case wf.All != "" || wf.Node.Style&yaml.FlowStyle != 0:
			return nil, fmt.Errorf("the workflow's `permissions: %s`: %w", wf.All, errUnsafe)
		}
		first := job.Node.Content[0]
		off := s.Offset(first.Line, first.Column)
		if edit.LineStart(s.Src, off)+len(edit.Indent(s.Src, off)) != off {
			return nil, fmt.Errorf("the job's layout: %w", errUnsafe)
		}
		ind := edit.Indent(s.Src, off)
		text := ind + "permissions:" + le
		for _, sc := range wf.Scopes {
			level := sc.Level
			if contains(scopes, sc.Name) {
				level = "write"
			}
			text += ind + "  " + sc.Name + ": " + level + le
		}
		for _, name := range scopes {
			if wf.Level(name) == "" {
				text += ind + "  " + name + ": write" + le
			}
		}
		ls := edit.LineStart(s.Src, off)
		return []edit.Edit{{Start: ls, End: ls, Text: text}}, nil
	}
	switch {
	case perm.All == "write-all":
		return nil, nil
	case perm.All != "" || perm.Node.Style&yaml.FlowStyle != 0 || len(perm.Scopes) == 0:
		return nil, fmt.Errorf("the job's `permissions:` shorthand or flow style: %w", errUnsafe)
	}
	var edits []edit.Edit
	lastScope := perm.Scopes[len(perm.Scopes)-1]
	ind := edit.Indent(s.Src, perm.Scopes[0].Key.Start)
	var add string
	for _, name := range scopes {
		switch perm.Level(name) {
		case "write":
		case "":
			add += ind + name + ": write" + le
		default:
			for _, sc := range perm.Scopes {
				if sc.Name == name {
					if !sc.Value.Editable() {
						return nil, fmt.Errorf("the %s permission's value: %w", name, errUnsafe)
					}
					edits = append(edits, edit.Edit{Start: sc.Value.ContentStart, End: sc.Value.ContentEnd, Text: "write"})
				}
			}
		}
	}
	if add != "" {
		line, _ := s.Position(lastScope.Value.Start)
		at := s.LineEnd(line)
		if at < len(s.Src) {
			at = s.LineStart(line + 1)
			edits = append(edits, edit.Edit{Start: at, End: at, Text: add})
		} else {
			edits = append(edits, edit.Edit{Start: at, End: at, Text: le + strings.TrimSuffix(add, le)})
		}
	}
	return edits, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
