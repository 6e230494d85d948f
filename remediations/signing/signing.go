// Package signing adds release workflows that sign and attest what a
// repository publishes (keyless Sigstore signatures and SLSA build
// provenance), chosen by the ecosystem it detects: Go, npm, PyPI,
// containers, or signed release assets. It never adds a second publisher:
// an existing publishing workflow is extended with attestation steps where
// that is safe, and reported otherwise.
package signing

import (
	"context"
	"fmt"
	"sort"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/edit"
	"github.com/hardener/hardener/internal/workflow"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// Signing is the signing remediation (off unless config enables it).
type Signing struct{}

// ID implements remediations.Remediation.
func (Signing) ID() string { return checks.FixSigning }

// WorkflowPaths are where each ecosystem's new workflow is written.
var WorkflowPaths = map[string]string{
	Go:        ".github/workflows/release.yml",
	NPM:       ".github/workflows/publish-npm.yml",
	PyPI:      ".github/workflows/publish-pypi.yml",
	Container: ".github/workflows/container-image.yml",
	Generic:   ".github/workflows/sign-release.yml",
}

// workflowData feeds the signing-<ecosystem>.yml.tmpl templates.
type workflowData struct {
	target
	Repo             string
	Uses             map[string]string
	GoReleaserModule string
}

// E writes a GitHub Actions expression, which text/template cannot.
func (workflowData) E(expr string) string { return "${{ " + expr + " }}" }

// Apply implements remediations.Remediation.
func (Signing) Apply(_ context.Context, env *remediations.Env) (*remediations.Result, error) {
	if !env.Config.Enabled(checks.FixSigning) {
		return nil, remediations.ErrNothingToFix
	}
	snap := env.Snapshot
	targets, err := detect(snap)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	repoName := "OWNER/REPO"
	if snap.Owner != "" && snap.Name != "" {
		repoName = snap.Owner + "/" + snap.Name
	}
	pubs := publishers(checks.Load(snap).Files)
	res := &remediations.Result{ID: checks.FixSigning}
	var ex explained
	edits := map[*workflow.File][]edit.Edit{}
	doneJobs := map[*workflow.Job]bool{}
	for _, t := range targets {
		var existing []publisher
		for _, p := range pubs {
			if covers(p, t) {
				existing = append(existing, p)
			}
		}
		if len(existing) > 0 {
			for _, p := range existing {
				if doneJobs[p.Job] || attested(p) {
					continue
				}
				doneJobs[p.Job] = true
				e, err := extendPublisher(p, findGoReleaser(snap))
				if err != nil {
					res.Notes = append(res.Notes, remediations.Note{File: p.File.Path, Line: p.Step.Node.Line,
						Message: fmt.Sprintf("%s publishes without provenance and was left unchanged (%v): grant the job `id-token: write` and `attestations: write` and add an actions/attest-build-provenance step after it", p.Kind, err)})
					continue
				}
				edits[p.File] = append(edits[p.File], e...)
				ex.Extended = append(ex.Extended, p.where()+": "+p.Kind)
				ex.add(t.Ecosystem)
			}
			continue
		}
		path := WorkflowPaths[t.Ecosystem]
		if snap.Has(path) {
			res.Notes = append(res.Notes, remediations.Note{File: path, Line: 1,
				Message: "a signed " + t.Ecosystem + " release workflow was not added: " + path + " already exists"})
			continue
		}
		wf, err := templates.Render("signing-"+t.Ecosystem+".yml.tmpl", workflowData{target: t, Repo: repoName, Uses: uses(), GoReleaserModule: GoReleaserModule})
		if err != nil {
			return nil, fmt.Errorf("signing: %w", err)
		}
		res.Changes = append(res.Changes, remediations.Change{Path: path, After: []byte(wf)})
		ex.Added = append(ex.Added, path)
		ex.add(t.Ecosystem)
	}
	for f, es := range edits {
		after, err := edit.Apply(f.Source.Src, es)
		if err != nil {
			return nil, fmt.Errorf("signing: %s: %w", f.Path, err)
		}
		res.Changes = append(res.Changes, remediations.Change{Path: f.Path, Before: f.Source.Src, After: after})
	}
	sort.Slice(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	if len(res.Changes) == 0 {
		return res, remediations.ErrNothingToFix
	}
	res.Title = "Sign and attest releases"
	if res.Explanation, err = ex.render(repoName); err != nil {
		return nil, err
	}
	return res, nil
}
