package dependabot

import (
	"fmt"
	"strings"

	"github.com/hardener/hardener/templates"
)

type explanationData struct {
	Title, What, Why, Undo, Docs string
	Added                        []string
	Cooldown                     int
}

func explanation(p string, created bool, added []update, cooldown int) (string, error) {
	d := explanationData{
		Title: "Dependabot version updates",
		What:  "Extends `" + p + "` with the entries below, keeping the rest of the file as it was.",
		Why: "Actions pinned to a commit SHA never move on their own: without version updates they miss security fixes. " +
			"Dependabot opens a weekly pull request that bumps each pin and its `# vX.Y.Z` comment together; " +
			"the github-actions updates are grouped into one pull request to keep the noise down.",
		Undo: "Delete the added entries (or the whole file if Hardener created it). " +
			"To add other ecosystems, list them under `dependabot: {ecosystems: […]}` in `.github/hardener.yml`; " +
			"Hardener never adds an entry that Renovate or an existing entry for the same ecosystem and directory already covers, whatever its target branch.",
		Docs:     "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference",
		Cooldown: cooldown,
	}
	if cooldown > 0 {
		d.Why += fmt.Sprintf(" Each new entry waits %d days after a release before proposing it (`cooldown`): "+
			"a compromised release is usually found and pulled within days, before it reaches this repository. "+
			"Security updates are not delayed. Change the delay with `dependabot: {cooldown-days: N}` in `.github/hardener.yml` (0 turns it off).", cooldown)
	}
	if created {
		d.What = "Adds `" + p + "` (version 2) with the entries below."
	}
	for _, u := range added {
		d.Added = append(d.Added, templates.Code(u.Ecosystem)+" in "+templates.Code(u.Directory))
	}
	s, err := templates.Render("dependabot-explanation.md.tmpl", d)
	if err != nil {
		return "", fmt.Errorf("dependabot: %w", err)
	}
	return strings.TrimRight(s, "\n") + "\n", nil
}
