package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/snapshot"
	"github.com/hardener/hardener/internal/config"
)

// orgRepo is the organisation's repository of defaults.
const orgRepo = ".github"

// ConfigError is an invalid configuration file; it is shown in the check
// run, never replaced by defaults.
type ConfigError struct {
	Source string // "owner/repo:.github/hardener.yml"
	Err    error
}

func (e *ConfigError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// orgEntry is a cached organisation config.
type orgEntry struct {
	org    *config.Org // nil: no file
	err    *ConfigError
	policy bool // the org's .github repository has a security policy
	at     time.Time
}

// loadConfig returns the effective config of the repository at tree: its
// own `.github/hardener.yml` over the organisation's. cfgErr is an invalid
// file (for the check run); err is a failure to read one.
func (j *jobRun) loadConfig(ctx context.Context, t *snapshot.Tree) (cfg config.Config, enabled bool, cfgErr *ConfigError, err error) {
	var repoCfg *config.Config
	var org *config.Org
	if strings.EqualFold(j.repo.name, orgRepo) {
		// The organisation's own file is the defaults file.
		if f, ok := t.Files[config.File]; ok {
			o, perr := config.ParseOrg(f.Data)
			if perr != nil {
				return cfg, false, &ConfigError{Source: j.repo.full() + ":" + config.File, Err: perr}, nil
			}
			org = &o
		}
	} else {
		e, err := j.orgConfig(ctx)
		if err != nil {
			return cfg, false, nil, err
		}
		if e.err != nil {
			return cfg, false, e.err, nil
		}
		org = e.org
		if f, ok := t.Files[config.File]; ok {
			c, perr := config.Parse(f.Data)
			if perr != nil {
				return cfg, false, &ConfigError{Source: j.repo.full() + ":" + config.File, Err: perr}, nil
			}
			repoCfg = &c
		}
	}
	if org != nil && !org.Enabled(j.repo.full()) {
		return cfg, false, nil, nil
	}
	cfg, merr := config.Merge(org, repoCfg)
	if merr != nil {
		return cfg, false, &ConfigError{Source: j.repo.full() + ":" + config.File, Err: merr}, nil
	}
	return cfg, true, nil, nil
}

// forgetOrg drops the cached organisation files of owner: a push to its
// .github repository may have changed them.
func (w *Worker) forgetOrg(owner string) {
	w.orgMu.Lock()
	defer w.orgMu.Unlock()
	delete(w.orgCfg, strings.ToLower(owner))
	delete(w.orgCfg, strings.ToLower(owner)+"\x00policy")
}

// orgConfig reads `.github/hardener.yml` of the owner's `.github`
// repository (404: none), cached for OrgConfigTTL.
func (j *jobRun) orgConfig(ctx context.Context) (orgEntry, error) {
	owner := j.repo.owner
	key := strings.ToLower(owner)
	j.w.orgMu.Lock()
	e, ok := j.w.orgCfg[key]
	j.w.orgMu.Unlock()
	if ok && time.Since(e.at) < j.w.opts.OrgConfigTTL {
		return e, nil
	}
	e = orgEntry{at: time.Now()}
	fc, _, _, err := j.gh.Repositories.GetContents(ctx, owner, orgRepo, config.File, nil)
	switch {
	case ghclient.IsNotFound(err):
	case err != nil:
		return e, fmt.Errorf("organisation config %s/%s: %w", owner, orgRepo, err)
	case fc == nil:
		e.err = &ConfigError{Source: owner + "/" + orgRepo + ":" + config.File, Err: fmt.Errorf("not a file")}
	default:
		text, derr := fc.GetContent()
		if derr != nil {
			return e, fmt.Errorf("organisation config %s/%s: %w", owner, orgRepo, derr)
		}
		o, perr := config.ParseOrg([]byte(text))
		if perr != nil {
			e.err = &ConfigError{Source: owner + "/" + orgRepo + ":" + config.File, Err: perr}
		} else {
			e.org = &o
		}
	}
	j.w.orgMu.Lock()
	j.w.orgCfg[key] = e
	j.w.orgMu.Unlock()
	return e, nil
}

// orgSecurityPolicy reports whether the owner's `.github` repository has a
// SECURITY.md at its root (GitHub shows it for every repository that has
// none). One request, cached with the org config. Policies in its .github/
// or docs/ folder are not looked for.
func (j *jobRun) orgSecurityPolicy(ctx context.Context) (bool, error) {
	owner := j.repo.owner
	key := strings.ToLower(owner) + "\x00policy"
	j.w.orgMu.Lock()
	e, ok := j.w.orgCfg[key]
	j.w.orgMu.Unlock()
	if ok && time.Since(e.at) < j.w.opts.OrgConfigTTL {
		return e.policy, nil
	}
	fc, _, _, err := j.gh.Repositories.GetContents(ctx, owner, orgRepo, "SECURITY.md", nil)
	if err != nil && !ghclient.IsNotFound(err) {
		return false, fmt.Errorf("organisation security policy %s/%s: %w", owner, orgRepo, err)
	}
	e = orgEntry{at: time.Now(), policy: err == nil && fc != nil}
	j.w.orgMu.Lock()
	j.w.orgCfg[key] = e
	j.w.orgMu.Unlock()
	return e.policy, nil
}
