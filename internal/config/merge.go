package config

import (
	"fmt"
	"strings"
)

// Merge returns the effective configuration of a repository from the
// organisation file and the repository file; either may be nil (absent).
//
// Precedence, per key: Default() < org < repoCfg. A key the repository file
// sets wins; lists replace, maps merge key by key. When the organisation
// sets `allow-repo-override: false`, repoCfg is ignored and a note saying
// so is added to the result's Notes.
func Merge(org *Org, repoCfg *Config) (Config, error) {
	c := Default()
	if org != nil {
		c = c.with(org.Config.settings)
	}
	if repoCfg != nil && len(repoCfg.settings) > 0 {
		if org != nil && !org.Repositories.AllowRepoOverride {
			c.Notes = append(c.Notes, fmt.Sprintf(
				"%s in this repository is ignored: the organisation's file sets repositories.allow-repo-override: false", File))
		} else {
			c = c.with(repoCfg.settings)
		}
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// validate checks a merged result; Parse already checked each file, so
// this only catches a Config assembled by hand. (An invalid fail-on cannot
// be assembled: checks.ParseFailOn is the only way to make one from text.)
func (c Config) validate() error {
	if c.Mode != ModePR && c.Mode != ModeReport {
		return fmt.Errorf("config: invalid mode %q", c.Mode)
	}
	return nil
}

// Enabled reports whether the organisation enables Hardener on the
// repository. repoName is "repo" or "owner/repo"; entries match the name,
// or the full name when they contain a slash, as case-insensitive globs.
// Opt-out wins; an empty opt-in list means every repository.
func (o Org) Enabled(repoName string) bool {
	if matchRepo(o.Repositories.OptOut, repoName) {
		return false
	}
	return len(o.Repositories.OptIn) == 0 || matchRepo(o.Repositories.OptIn, repoName)
}

func matchRepo(patterns []string, full string) bool {
	full = strings.ToLower(full)
	name := full
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		name = full[i+1:]
	}
	for _, p := range patterns {
		p = strings.ToLower(p)
		subject := name
		if strings.Contains(p, "/") {
			subject = full
		}
		if globMatch(p, subject) {
			return true
		}
	}
	return false
}
