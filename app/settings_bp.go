package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/branchprot"
	"github.com/hardener/hardener/templates"
)

// The GitHub side of the branch-protection remediation: reading the
// branch's protection and writing what remediations/branchprot computes.

// repoAPI is the REST path of the repository followed by segments, every
// segment escaped: owner, name and branch names are repository data, and a
// branch may be named "a#b" or "x/../y".
func (j *jobRun) repoAPI(segments ...string) string {
	parts := []string{"repos", url.PathEscape(j.repo.owner), url.PathEscape(j.repo.name)}
	for _, s := range segments {
		parts = append(parts, url.PathEscape(s))
	}
	return strings.Join(parts, "/")
}

// ghJSON sends one request with go-github (so rate limits map to its
// error types) and decodes the answer into out.
func ghJSON(ctx context.Context, gh *github.Client, method, path string, body, out any) error {
	req, err := gh.NewRequest(method, path, body)
	if err != nil {
		return err
	}
	_, err = gh.Do(ctx, req, out)
	return err
}

// bpReviewed reports whether the branch-protection values are reviewed
// configuration on the default branch: the repository's own file has a
// `branch-protection:` block, or the values can only come from the
// organisation's file (its .github repository, or an organisation that
// forbids repository overrides).
func (j *jobRun) bpReviewed(ctx context.Context, t *snapshot.Tree) (bool, error) {
	if strings.EqualFold(j.repo.name, orgRepo) {
		return true, nil
	}
	if f, ok := t.Files[config.File]; ok && branchprot.Reviewed(f.Data) {
		return true, nil
	}
	e, err := j.orgConfig(ctx)
	if err != nil {
		return false, err
	}
	return e.org != nil && !e.org.Repositories.AllowRepoOverride, nil
}

// proposeSettings returns the hardening PR's settings commits: when branch
// protection is on but not yet reviewed configuration, a commit that adds
// the `branch-protection:` block with the effective values to
// `.github/hardener.yml`. Nothing in `mode: report`.
func (j *jobRun) proposeSettings(ctx context.Context, sc *scanned) ([]*remediations.Result, error) {
	if sc.cfg.Mode == config.ModeReport || !sc.cfg.Enabled(checks.FixBranchProtection) {
		return nil, nil
	}
	reviewed, err := j.bpReviewed(ctx, sc.tree)
	if err != nil || reviewed {
		return nil, err
	}
	var before []byte
	if f, ok := sc.tree.Files[config.File]; ok {
		before = f.Data
	}
	r, err := branchprot.Propose(before, sc.cfg.BranchProtection)
	if err != nil {
		j.log.Warn("branch protection not proposed", "err", err)
		return nil, nil
	}
	return []*remediations.Result{r}, nil
}

// ensureBranchProtection applies the reviewed branch-protection values to
// the default branch. Nothing changed costs one request when rulesets
// already enforce them, two when classic protection does.
func (j *jobRun) ensureBranchProtection(ctx context.Context, sc *scanned, so *settingsOutcome) error {
	reviewed, err := j.bpReviewed(ctx, sc.tree)
	if err != nil {
		return err
	}
	if !reviewed {
		so.add("bp:proposed", fmt.Sprintf("Branch protection is proposed in the hardening pull request as a `%s:` block of `%s`; Hardener applies it once that is merged.", branchprot.Key, config.File), false)
		return nil
	}
	app, err := j.w.identity(ctx)
	if err != nil {
		return err
	}
	// The App's own check is bound to it wherever it is required: any
	// other App or a workflow job can report a check of the same name.
	apps := branchprot.Apps{CheckName: app.ID}
	bp, b := sc.cfg.BranchProtection, j.repo.defaultBranch
	var rules []branchprot.Rule
	err = ghJSON(ctx, j.gh, http.MethodGet, j.repoAPI("rules", "branches", b)+"?per_page=100", nil, &rules)
	if err != nil && !refused(err) {
		return fmt.Errorf("rules of branch %s: %w", b, err)
	}
	st := branchprot.NewState()
	for _, r := range rules {
		st.AddRule(r)
	}
	ok := fmt.Sprintf("Branch protection of %s matches `%s`.", templates.Code(b), config.File)
	gaps := branchprot.Unmet(bp, st, apps)
	if len(gaps) == 0 {
		so.add("bp:ok", ok, false)
		return nil
	}
	classic, classicErr := j.getClassic(ctx)
	if classicErr != nil && !refused(classicErr) {
		return classicErr
	}
	if classic != nil {
		st.AddClassic(classic)
		if gaps = branchprot.Unmet(bp, st, apps); len(gaps) == 0 {
			so.add("bp:ok", ok, false)
			return nil
		}
	}
	done, err := j.applyRuleset(ctx, bp, gaps, apps, so)
	if err != nil || done {
		return err
	}
	return j.applyClassic(ctx, bp, classic, classicErr, gaps, apps, so)
}

// applyRuleset creates or updates the `hardener` ruleset; other rulesets
// are never touched. done is false when rulesets are not available here
// (plan or GitHub version), so that classic protection is used instead.
func (j *jobRun) applyRuleset(ctx context.Context, bp config.BranchProtectionConfig, gaps branchprot.Gaps, apps branchprot.Apps, so *settingsOutcome) (done bool, err error) {
	base := j.repoAPI("rulesets")
	var list []branchprot.Ruleset
	if err := ghJSON(ctx, j.gh, http.MethodGet, base+"?includes_parents=false&per_page=100", nil, &list); err != nil {
		return j.rulesetRefused(err, so)
	}
	var ours *branchprot.Ruleset
	for i := range list {
		if list[i].Name == branchprot.RulesetName && (list[i].SourceType == "" || list[i].SourceType == "Repository") {
			ours = &list[i]
			break
		}
	}
	if ours == nil {
		req := branchprot.NewRuleset(bp, gaps, apps)
		var created branchprot.Ruleset
		if err := ghJSON(ctx, j.gh, http.MethodPost, base, req, &created); err != nil {
			return j.rulesetRefused(err, so)
		}
		j.log.Info("ruleset created", "ruleset", created.ID, "rules", len(req.Rules))
		so.add("bp:applied:"+gaps.String(), fmt.Sprintf("Created the repository ruleset `%s` for %s from `%s`: %s.",
			branchprot.RulesetName, templates.Code(j.repo.defaultBranch), config.File, strings.Join(req.RuleNames(), ", ")), true)
		return true, nil
	}
	var live branchprot.Ruleset
	if err := ghJSON(ctx, j.gh, http.MethodGet, fmt.Sprintf("%s/%d", base, ours.ID), nil, &live); err != nil {
		return j.rulesetRefused(err, so)
	}
	drift := gaps.String()
	if live.Enforcement != "active" {
		drift = fmt.Sprintf("the ruleset's enforcement is %s; %s", templates.Code(live.Enforcement), drift)
	}
	req := branchprot.UpdateRuleset(bp, gaps, live, j.repo.defaultBranch, apps)
	if err := ghJSON(ctx, j.gh, http.MethodPut, fmt.Sprintf("%s/%d", base, ours.ID), req, &live); err != nil {
		return j.rulesetRefused(err, so)
	}
	j.log.Warn("ruleset drifted from the configuration; re-applied", "ruleset", ours.ID, "drift", drift)
	so.add("bp:drift:"+drift, fmt.Sprintf("**Drift:** the branch protection of %s differed from `%s` (%s). Hardener re-applied the `%s` ruleset; change `%s` to change the protection.",
		templates.Code(j.repo.defaultBranch), config.File, drift, branchprot.RulesetName, config.File), true)
	return true, nil
}

// rulesetRefused reports a refusal; done is false when classic protection
// should be tried (rulesets not available), true when the App may not.
func (j *jobRun) rulesetRefused(err error, so *settingsOutcome) (bool, error) {
	status, msg, ok := ghclient.Refused(err)
	if !ok {
		return false, fmt.Errorf("hardener ruleset: %w", err)
	}
	j.log.Warn("ruleset refused", "status", status, "err", msg)
	if status == http.StatusForbidden && !needsPlan(msg) {
		so.add("bp:forbidden", "Branch protection could not be applied: "+adminHint+".", true)
		return true, nil
	}
	if status == http.StatusUnprocessableEntity {
		so.add("bp:refused", "GitHub refused the `"+branchprot.RulesetName+"` ruleset: "+templates.Text(msg), true)
		return true, nil
	}
	return false, nil
}

// getClassic reads the classic protection of the default branch; nil
// without error when the branch is not protected.
func (j *jobRun) getClassic(ctx context.Context) (*github.Protection, error) {
	p, _, err := j.gh.Repositories.GetBranchProtection(ctx, j.repo.owner, j.repo.name, j.repo.defaultBranch)
	if errors.Is(err, github.ErrBranchNotProtected) {
		return nil, nil
	}
	if err != nil {
		if refused(err) {
			return nil, err
		}
		return nil, fmt.Errorf("branch protection of %s: %w", j.repo.defaultBranch, err)
	}
	return p, nil
}

// applyClassic merges bp into the branch's classic protection and writes
// the whole of it back (branchprot.MergeClassic keeps every existing
// setting and only makes it stricter).
func (j *jobRun) applyClassic(ctx context.Context, bp config.BranchProtectionConfig, p *github.Protection, readErr error, gaps branchprot.Gaps, apps branchprot.Apps, so *settingsOutcome) error {
	b := j.repo.defaultBranch
	if readErr != nil {
		return j.classicRefused(readErr, so)
	}
	req := branchprot.MergeClassic(p, bp, apps)
	if _, _, err := j.gh.Repositories.UpdateBranchProtection(ctx, j.repo.owner, j.repo.name, b, req); err != nil {
		return j.classicRefused(err, so)
	}
	if bp.RequireSignedCommits && (p == nil || p.RequiredSignatures == nil || !p.RequiredSignatures.GetEnabled()) {
		if _, _, err := j.gh.Repositories.RequireSignaturesOnProtectedBranch(ctx, j.repo.owner, j.repo.name, b); err != nil {
			return j.classicRefused(err, so)
		}
	}
	j.log.Info("classic branch protection written", "branch", b, "gaps", gaps.String())
	how := "Protected"
	if p != nil {
		how = "Extended the existing classic protection of"
	}
	so.add("bp:classic:"+gaps.String(), fmt.Sprintf("%s %s with classic branch protection from `%s` (repository rulesets are not available here), keeping every existing setting. It was missing: %s.",
		how, templates.Code(b), config.File, gaps), true)
	return nil
}

func (j *jobRun) classicRefused(err error, so *settingsOutcome) error {
	status, msg, ok := ghclient.Refused(err)
	if !ok {
		return fmt.Errorf("branch protection of %s: %w", j.repo.defaultBranch, err)
	}
	j.log.Warn("classic branch protection refused", "status", status, "err", msg)
	switch {
	case needsPlan(msg):
		so.add("bp:plan", "Branch protection could not be applied: GitHub offers neither rulesets nor branch protection for this private repository on its current plan ("+templates.Text(msg)+").", true)
	case status == http.StatusForbidden || status == http.StatusNotFound:
		so.add("bp:forbidden", "Branch protection could not be applied: "+adminHint+".", true)
	default:
		so.add("bp:refused", "GitHub refused the branch protection: "+templates.Text(msg), true)
	}
	return nil
}
