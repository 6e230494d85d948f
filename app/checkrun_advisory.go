package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/templates"
)

// advisoryOutcome is the draft advisory holding exploitable findings.
type advisoryOutcome struct {
	URL     string
	Created bool
}

const advisoryMarker = "<!-- hardener:advisory="

// reportExploitable puts the exploitable findings of a public repository
// into a draft repository security advisory, visible to maintainers only:
// one advisory per set of findings (a hash in its description), looked up
// before creating. Plans or tokens without the feature are logged, not
// fatal: the check run still counts the findings. In `mode: report` the
// App writes nothing but check runs, so no advisory either.
func (j *jobRun) reportExploitable(ctx context.Context, sc *scanned) (*advisoryOutcome, error) {
	if j.repo.private || sc.cfg.Mode == config.ModeReport {
		return nil, nil
	}
	var found []checks.Finding
	for _, f := range sc.findings {
		if f.Exploitable() {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	// One advisory per set of findings, by fingerprint: moving lines does
	// not open a second one.
	keys := checks.Occurrences(found)
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	marker := advisoryMarker + hex.EncodeToString(sum[:]) + " -->"
	existing, err := j.findAdvisory(ctx, marker)
	if err != nil {
		if refused(err) {
			j.log.Warn("repository security advisories unavailable", "err", err)
			return nil, nil
		}
		return nil, err
	}
	if existing != nil {
		return &advisoryOutcome{URL: advisoryURL(existing)}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hardener found %s in this repository's GitHub Actions workflows that an outside contributor may be able to exploit. "+
		"They are not described in the public check run.\n\n", plural(len(found), "pattern", "patterns"))
	for _, f := range found {
		fmt.Fprintf(&b, "- %s line %d — **%s** (%s): %s\n", templates.Code(f.Primary.File), f.Primary.Line, f.Rule, f.Severity, templates.Text(f.Message))
		if m, ok := checks.Rule(f.Rule); ok {
			fmt.Fprintf(&b, "  How to fix: %s (%s)\n", m.Help, m.DocsURL())
		}
	}
	b.WriteString("\nThis draft is private to the repository's maintainers and security managers. Close it once the workflows are fixed.\n\n")
	b.WriteString(marker) // the last line: findAdvisory reads only that
	body := map[string]any{
		"summary":     "Exploitable GitHub Actions workflow patterns",
		"description": b.String(),
		"severity":    "high",
		"vulnerabilities": []any{map[string]any{
			"package": map[string]any{"ecosystem": "actions", "name": j.repo.full()},
		}},
	}
	req, err := j.gh.NewRequest(http.MethodPost, j.repoAPI("security-advisories"), body)
	if err != nil {
		return nil, err
	}
	var created github.SecurityAdvisory
	if _, err := j.gh.Do(ctx, req, &created); err != nil {
		if refused(err) {
			j.log.Warn("could not create a draft security advisory", "err", err)
			return nil, nil
		}
		return nil, fmt.Errorf("create security advisory: %w", err)
	}
	j.log.Info("draft security advisory created", "ghsa", created.GetGHSAID())
	return &advisoryOutcome{URL: advisoryURL(&created), Created: true}, nil
}

// maxAdvisoryPages bounds the draft advisories read (100 a page) to find
// the App's.
const maxAdvisoryPages = 10

// findAdvisory returns the draft advisory whose description ends with
// marker, the App's own last line (a marker quoted elsewhere in a
// description does not count), reading at most maxAdvisoryPages pages.
func (j *jobRun) findAdvisory(ctx context.Context, marker string) (*github.SecurityAdvisory, error) {
	opts := &github.ListRepositorySecurityAdvisoriesOptions{State: "draft", ListCursorOptions: github.ListCursorOptions{PerPage: 100}}
	for range maxAdvisoryPages {
		list, resp, err := j.gh.SecurityAdvisories.ListRepositorySecurityAdvisories(ctx, j.repo.owner, j.repo.name, opts)
		if err != nil {
			return nil, fmt.Errorf("list security advisories: %w", err)
		}
		for _, a := range list {
			if lastLine(a.GetDescription()) == marker {
				return a, nil
			}
		}
		// GitHub pages these by cursor; the fake, like most lists, by number.
		switch {
		case resp.After != "":
			opts.After, opts.Page = resp.After, ""
		case resp.NextPage != 0:
			opts.Page = strconv.Itoa(resp.NextPage)
		default:
			return nil, nil
		}
	}
	j.log.Warn("more draft advisories than the App reads; a new one may duplicate an older one", "pages", maxAdvisoryPages)
	return nil, nil
}

func advisoryURL(a *github.SecurityAdvisory) string {
	if u := a.GetHTMLURL(); u != "" {
		return u
	}
	return a.GetURL()
}
