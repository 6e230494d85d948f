// Package secpolicy adds a SECURITY.md that tells a researcher how to
// report a vulnerability privately and what to include. It promises
// nothing on the maintainers' behalf: response times appear only when the
// configuration states them (`security-policy:` in .github/hardener.yml).
package secpolicy

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/templates"
)

// Path is the file the remediation writes.
const Path = "SECURITY.md"

// Options are what the App knows beyond the snapshot.
type Options struct {
	// Versions are the repository's release tags (e.g. from the API's list
	// of tags or releases). When empty, tags are read from the checkout's
	// .git directory. The newest release line is named so reporters test
	// it; no version is promised fixes.
	Versions []string
}

// SecurityPolicy is the security-policy remediation.
type SecurityPolicy struct {
	Options Options
}

// ID implements remediations.Remediation.
func (SecurityPolicy) ID() string { return checks.FixSecurityPolicy }

// policyData feeds security.md.tmpl.
type policyData struct {
	Project      string
	AdvisoryURL  string
	ContactEmail string
	ContactURL   string
	// Newest is the newest release line ("1.4.x"), or "".
	Newest string
	// Response times in days; 0 promises nothing.
	AckDays, AssessmentDays, DisclosureDays int
}

// Apply implements remediations.Remediation.
func (s SecurityPolicy) Apply(_ context.Context, env *remediations.Env) (*remediations.Result, error) {
	if env.OrgSecurityPolicy {
		return nil, remediations.ErrNothingToFix
	}
	snap := env.Snapshot
	paths, err := snap.Files()
	if err != nil {
		return nil, fmt.Errorf("security-policy: %w", err)
	}
	if checks.FindSecurityPolicy(paths) != "" || hasPolicy(snap.Has) {
		return nil, remediations.ErrNothingToFix
	}
	sp := env.Config.SecurityPolicy
	data := policyData{
		Project: "this project", AckDays: sp.AcknowledgeDays, AssessmentDays: sp.AssessmentDays, DisclosureDays: sp.DisclosureDays,
	}
	if snap.Owner != "" && snap.Name != "" {
		data.Project = snap.Owner + "/" + snap.Name
		data.AdvisoryURL = "https://github.com/" + url.PathEscape(snap.Owner) + "/" + url.PathEscape(snap.Name) + "/security/advisories/new"
	}
	if c := strings.TrimSpace(env.Config.SecurityContact); c != "" {
		email, link, err := contact(c)
		if err != nil {
			return nil, err
		}
		data.ContactEmail, data.ContactURL = email, link
	}
	tags := s.Options.Versions
	if len(tags) == 0 {
		tags = gitTags(snap.FS)
	}
	if lines, _ := supported(tags); len(lines) > 0 {
		data.Newest = lines[0]
	}

	body, err := templates.Render("security.md.tmpl", data)
	if err != nil {
		return nil, fmt.Errorf("security-policy: %w", err)
	}
	expl, err := explanation(data)
	if err != nil {
		return nil, err
	}
	res := &remediations.Result{
		ID:          checks.FixSecurityPolicy,
		Title:       "Add a security policy (SECURITY.md)",
		Changes:     []remediations.Change{{Path: Path, After: []byte(body)}},
		Explanation: expl,
	}
	for _, f := range env.Findings {
		if f.Rule == checks.RuleMissingSecurityPolicy {
			res.Fixed = append(res.Fixed, f.Fingerprint())
		}
	}
	return res, nil
}

// hasPolicy catches policies that Files hides (paths-ignore).
func hasPolicy(has func(string) bool) bool {
	for _, dir := range checks.SecurityPolicyPaths {
		for _, name := range []string{"SECURITY.md", "security.md", "Security.md"} {
			if has(dir + name) {
				return true
			}
		}
	}
	return false
}

// contact classifies `security-contact` as an e-mail address or a URL.
func contact(c string) (email, link string, err error) {
	if strings.HasPrefix(strings.ToLower(c), "mailto:") {
		c = c[len("mailto:"):]
	}
	if u, perr := url.Parse(c); perr == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return "", c, nil
	}
	if a, perr := mail.ParseAddress(c); perr == nil && a.Address == c && !strings.ContainsAny(c, " <>") {
		return c, "", nil
	}
	return "", "", fmt.Errorf("security-policy: security-contact %q is neither an e-mail address nor an http(s) URL", c)
}

type explanationData struct {
	Title, What, Why, Undo, Docs string
	Steps                        []string
}

func explanation(d policyData) (string, error) {
	how := "through GitHub's private vulnerability reporting"
	switch {
	case d.ContactEmail != "":
		how = "by e-mail to " + templates.Code(d.ContactEmail) + " or through GitHub's private vulnerability reporting"
	case d.ContactURL != "":
		how = "at " + templates.Code(d.ContactURL) + " or through GitHub's private vulnerability reporting"
	}
	steps := []string{
		"Enable private vulnerability reporting (Settings → Code security → Private vulnerability reporting). " +
			"The Hardener App does this through the API when it has `administration: write`; " +
			"the command-line tool cannot.",
	}
	if times := promised(d); times != "" {
		steps = append(steps, "SECURITY.md promises "+times+", as `security-policy:` in `.github/hardener.yml` says: "+
			"check that the maintainers can keep these times.")
	} else {
		steps = append(steps, "SECURITY.md makes no promise about response times or supported versions. "+
			"To state response times, set `security-policy: {acknowledge-days: N, assessment-days: N, disclosure-days: N}` "+
			"in `.github/hardener.yml`, or edit SECURITY.md.")
	}
	if d.ContactEmail == "" && d.ContactURL == "" {
		steps = append(steps, "To name an e-mail address or a form instead, set `security-contact` in `.github/hardener.yml`.")
	}
	s, err := templates.Render("security-explanation.md.tmpl", explanationData{
		Title: "Security policy",
		What:  "Adds `SECURITY.md`, which tells researchers to report vulnerabilities privately " + how + " and what to include.",
		Why: "Without a policy, people who find a vulnerability report it in a public issue or not at all. " +
			"GitHub links SECURITY.md from the Security tab and from the new-issue page, and OpenSSF Scorecard's Security-Policy check looks for it.",
		Undo:  "Delete `SECURITY.md`, or replace it with your own policy: Hardener never overwrites an existing one (in the root, `.github/` or `docs/`).",
		Docs:  "https://docs.github.com/en/code-security/getting-started/adding-a-security-policy-to-your-repository",
		Steps: steps,
	})
	if err != nil {
		return "", fmt.Errorf("security-policy: %w", err)
	}
	return s, nil
}

// promised lists the response times the policy commits to, or "".
func promised(d policyData) string {
	var parts []string
	if d.AckDays > 0 {
		parts = append(parts, fmt.Sprintf("acknowledgement within %d business days", d.AckDays))
	}
	if d.AssessmentDays > 0 {
		parts = append(parts, fmt.Sprintf("a first assessment within %d days", d.AssessmentDays))
	}
	if d.DisclosureDays > 0 {
		parts = append(parts, fmt.Sprintf("disclosure after at most %d days", d.DisclosureDays))
	}
	return strings.Join(parts, ", ")
}
