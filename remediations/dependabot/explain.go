package dependabot

import (
	"fmt"
	"strings"

	"github.com/hardener/hardener/templates"
)

type explanationData struct {
	Title, What, Why, Undo, Docs string
	Added                        []string
}

func explanation(p string, created bool, added []update) (string, error) {
	d := explanationData{
		Title: "Dependabot version updates",
		What:  "Extends `" + p + "` with the entries below, keeping the rest of the file as it was.",
		Why: "Actions pinned to a commit SHA never move on their own: without version updates they miss security fixes. " +
			"Dependabot opens a weekly pull request that bumps each pin and its `# vX.Y.Z` comment together; " +
			"the github-actions updates are grouped into one pull request to keep the noise down.",
		Undo: "Delete the added entries (or the whole file if Hardener created it). " +
			"To add other ecosystems, list them under `dependabot: {ecosystems: […]}` in `.github/hardener.yml`; " +
			"Hardener never adds an entry that Renovate or an existing entry (same ecosystem, directory and target branch) already covers.",
		Docs: "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference",
	}
	if created {
		d.What = "Adds `" + p + "` (version 2) with the entries below."
	}
	for _, u := range added {
		d.Added = append(d.Added, fmt.Sprintf("`%s` in `%s`", u.Ecosystem, u.Directory))
	}
	s, err := templates.Render("dependabot-explanation.md.tmpl", d)
	if err != nil {
		return "", fmt.Errorf("dependabot: %w", err)
	}
	return strings.TrimRight(s, "\n") + "\n", nil
}
