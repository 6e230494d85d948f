// Package fixer applies remediations to a snapshot in order, each on the
// result of the ones before, checks every changed workflow with actionlint
// and drops a remediation that would add an error.
package fixer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
)

// Dropped is a remediation's change that was not kept.
type Dropped struct {
	ID     string
	Path   string
	Reason string
}

// Skipped is a remediation that did not run, and why.
type Skipped struct {
	ID     string
	Reason string
}

// Options tune a run.
type Options struct {
	// Offline skips the remediations that need the network (Network says
	// which); they are listed in Outcome.Skipped.
	Offline bool
}

// Outcome is what a fix run produced.
type Outcome struct {
	// Skipped are the remediations that were selected but did not run.
	Skipped []Skipped
	// Results are the remediations that changed something, in order; each
	// one's Changes are relative to the state after the previous one.
	Results []*remediations.Result
	Dropped []Dropped
	// Notes are what the remediations left for review.
	Notes []remediations.Note
	// Before holds the original content of every changed file (nil for a
	// new file) and After the final content.
	Before, After map[string][]byte
	// Snapshot shows the repository with every kept change applied.
	Snapshot *repo.Snapshot
}

// Paths lists the changed files, sorted.
func (o *Outcome) Paths() []string {
	var out []string
	for p := range o.After {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Run applies the remediations named by ids (nil: every file remediation
// the config enables) to env.Snapshot.
func Run(ctx context.Context, env *remediations.Env, ids []string) (*Outcome, error) {
	return RunWith(ctx, env, ids, Options{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, env *remediations.Env, ids []string, opts Options) (*Outcome, error) {
	list, err := selected(env, ids)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Before: map[string][]byte{}, After: map[string][]byte{}, Snapshot: env.Snapshot}
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if why := Network(r.ID()); opts.Offline && why != "" {
			out.Skipped = append(out.Skipped, Skipped{ID: r.ID(), Reason: "offline: it " + why})
			continue
		}
		step := *env
		step.Snapshot = out.Snapshot
		res, err := r.Apply(ctx, &step)
		if errors.Is(err, remediations.ErrNothingToFix) {
			if res != nil {
				out.Notes = append(out.Notes, res.Notes...)
			}
			continue
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", r.ID(), err)
		}
		if res.ID == "" {
			res.ID = r.ID()
		}
		out.Notes = append(out.Notes, res.Notes...)
		var kept []remediations.Change
		for _, c := range res.Changes {
			if reason := lintRegression(out.Snapshot, c); reason != "" {
				out.Dropped = append(out.Dropped, Dropped{ID: res.ID, Path: c.Path, Reason: reason})
				continue
			}
			kept = append(kept, c)
		}
		if len(kept) == 0 {
			continue
		}
		res.Changes = kept
		files := map[string][]byte{}
		for _, c := range kept {
			if _, seen := out.Before[c.Path]; !seen {
				out.Before[c.Path] = c.Before
			}
			out.After[c.Path] = c.After
			files[c.Path] = c.After
		}
		out.Snapshot = repo.Overlay(out.Snapshot, files)
		out.Snapshot.Dir = ""
		out.Results = append(out.Results, res)
	}
	return out, nil
}

// Selected lists the IDs of the remediations a run with ids would apply,
// in order, so that a caller can say beforehand what will reach the
// network.
func Selected(env *remediations.Env, ids []string) ([]string, error) {
	list, err := selected(env, ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.ID()
	}
	return out, nil
}

func selected(env *remediations.Env, ids []string) ([]remediations.Remediation, error) {
	if ids == nil {
		var out []remediations.Remediation
		for _, r := range All() {
			if env.Config.Enabled(r.ID()) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		if _, err := Lookup(id); err != nil {
			return nil, err
		}
		want[id] = true
	}
	var out []remediations.Remediation
	for _, r := range All() {
		if want[r.ID()] {
			out = append(out, r)
		}
	}
	return out, nil
}

// lintRegression returns why a workflow change adds actionlint errors the
// file did not have, or "".
func lintRegression(snap *repo.Snapshot, c remediations.Change) string {
	if workflow.KindOf(c.Path) != workflow.KindWorkflow {
		return ""
	}
	before := map[string]int{}
	if c.Before != nil {
		for _, e := range lint(snap, c.Path, c.Before) {
			before[e]++
		}
	}
	var added []string
	for _, e := range lint(snap, c.Path, c.After) {
		if before[e] > 0 {
			before[e]--
			continue
		}
		added = append(added, e)
	}
	if len(added) == 0 {
		return ""
	}
	return "actionlint reports new errors: " + strings.Join(added, "; ")
}

// lint returns actionlint's errors as "kind: message", without positions
// (edits move lines).
func lint(snap *repo.Snapshot, p string, src []byte) []string {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		return []string{"actionlint: " + err.Error()}
	}
	path := p
	if snap.Dir != "" {
		path = filepath.Join(snap.Dir, filepath.FromSlash(p))
	}
	errs, err := l.Lint(path, src, nil)
	if err != nil {
		return []string{"actionlint: " + err.Error()}
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Kind+": "+e.Message)
	}
	return out
}
