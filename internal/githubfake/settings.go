package githubfake

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

func protectionGet(f *Fake, c *call) reply {
	b := c.params["branch"]
	p, ok := c.repo.protection[b]
	if !ok {
		return errReply(http.StatusNotFound, "Branch not protected")
	}
	base := f.repoURL(c.repo, "/branches/"+b+"/protection")
	m := map[string]any{"url": base}
	if rsc, ok := p["required_status_checks"].(map[string]any); ok {
		out := map[string]any{"url": base + "/required_status_checks", "contexts_url": base + "/required_status_checks/contexts",
			"strict": rsc["strict"], "contexts": orEmpty(rsc["contexts"]), "checks": orEmpty(rsc["checks"])}
		m["required_status_checks"] = out
	}
	enabled, _ := p["enforce_admins"].(bool)
	m["enforce_admins"] = map[string]any{"url": base + "/enforce_admins", "enabled": enabled}
	if rv, ok := p["required_pull_request_reviews"].(map[string]any); ok {
		out := map[string]any{"url": base + "/required_pull_request_reviews"}
		for k, v := range rv {
			if k != "dismissal_restrictions" && k != "bypass_pull_request_allowances" {
				out[k] = v
			}
		}
		m["required_pull_request_reviews"] = out
	}
	if _, ok := p["restrictions"].(map[string]any); ok {
		m["restrictions"] = map[string]any{"url": base + "/restrictions", "users_url": base + "/restrictions/users",
			"teams_url": base + "/restrictions/teams", "apps_url": base + "/restrictions/apps",
			"users": []any{}, "teams": []any{}, "apps": []any{}}
	}
	for _, k := range []string{"required_linear_history", "allow_force_pushes", "allow_deletions", "block_creations",
		"required_conversation_resolution", "lock_branch", "allow_fork_syncing", "required_signatures"} {
		v, _ := p[k].(bool)
		m[k] = map[string]any{"enabled": v}
	}
	m["required_signatures"].(map[string]any)["url"] = base + "/required_signatures"
	return jsonReply(http.StatusOK, m)
}

func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

func protectionUpdate(f *Fake, c *call) reply {
	b := c.params["branch"]
	if _, ok := c.repo.refs["refs/heads/"+b]; !ok {
		return errReply(http.StatusNotFound, "Branch not found")
	}
	var in map[string]any
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	c.repo.protection[b] = in // PUT replaces the whole protection
	return protectionGet(f, c)
}

func protectionDelete(f *Fake, c *call) reply {
	b := c.params["branch"]
	if _, ok := c.repo.protection[b]; !ok {
		return errReply(http.StatusNotFound, "Branch not protected")
	}
	delete(c.repo.protection, b)
	return reply{status: http.StatusNoContent}
}

func (r *Repo) addRuleset(rs map[string]any) int64 {
	cp := map[string]any{}
	for k, v := range rs {
		cp[k] = v
	}
	id := r.f.newID()
	cp["id"] = id
	r.rulesets = append(r.rulesets, cp)
	return id
}

func (f *Fake) rulesetJSON(r *Repo, rs map[string]any, source, sourceType string) map[string]any {
	m := f.example("repos/get-repo-ruleset", "")
	for k, v := range rs {
		m[k] = v
	}
	if m["target"] == nil {
		m["target"] = "branch"
	}
	if rs["bypass_actors"] == nil {
		m["bypass_actors"] = []any{}
	}
	if rs["conditions"] == nil {
		delete(m, "conditions")
	}
	if rs["rules"] == nil {
		m["rules"] = []any{}
	}
	id := fmt.Sprint(rs["id"])
	m["source"], m["source_type"], m["node_id"] = source, sourceType, nodeID("Ruleset", id)
	m["_links"] = map[string]any{"self": map[string]any{"href": f.repoURL(r, "/rulesets/"+id)}}
	return m
}

func rulesetsList(f *Fake, c *call) reply {
	out := []any{}
	for _, rs := range c.repo.rulesets {
		m := f.rulesetJSON(c.repo, rs, c.repo.fullName(), "Repository")
		delete(m, "rules")
		delete(m, "conditions")
		delete(m, "bypass_actors")
		out = append(out, m)
	}
	if c.query("includes_parents") != "false" {
		for _, rs := range f.orgRulesets[strings.ToLower(c.repo.Owner)] {
			m := f.rulesetJSON(c.repo, rs, c.repo.Owner, "Organization")
			delete(m, "rules")
			delete(m, "conditions")
			delete(m, "bypass_actors")
			out = append(out, m)
		}
	}
	return f.paginate(c, out)
}

func (r *Repo) ruleset(id string) (int, map[string]any) {
	for i, rs := range r.rulesets {
		if fmt.Sprint(rs["id"]) == id {
			return i, rs
		}
	}
	return -1, nil
}

func rulesetGet(f *Fake, c *call) reply {
	_, rs := c.repo.ruleset(c.params["ruleset_id"])
	if rs == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.rulesetJSON(c.repo, rs, c.repo.fullName(), "Repository"))
}

func rulesetCreate(f *Fake, c *call) reply {
	var in map[string]any
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if c.repo.private && f.rulesetsNeedPlan {
		return errReply(http.StatusForbidden, "Upgrade to GitHub Pro or make this repository public to enable this feature.")
	}
	in["created_at"] = f.now().UTC().Format(time.RFC3339)
	in["updated_at"] = in["created_at"]
	id := c.repo.addRuleset(in)
	_, rs := c.repo.ruleset(strconv.FormatInt(id, 10))
	return jsonReply(http.StatusCreated, f.rulesetJSON(c.repo, rs, c.repo.fullName(), "Repository"))
}

func rulesetUpdate(f *Fake, c *call) reply {
	_, rs := c.repo.ruleset(c.params["ruleset_id"])
	if rs == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	var in map[string]any
	_ = c.decode(&in)
	for k, v := range in {
		rs[k] = v
	}
	rs["updated_at"] = f.now().UTC().Format(time.RFC3339)
	return jsonReply(http.StatusOK, f.rulesetJSON(c.repo, rs, c.repo.fullName(), "Repository"))
}

func rulesetDelete(f *Fake, c *call) reply {
	i, rs := c.repo.ruleset(c.params["ruleset_id"])
	if rs == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	c.repo.rulesets = append(c.repo.rulesets[:i], c.repo.rulesets[i+1:]...)
	return reply{status: http.StatusNoContent}
}

// AddOrgRuleset seeds an organisation ruleset that applies to the org's repositories.
func (f *Fake) AddOrgRuleset(org string, rs map[string]any) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := map[string]any{}
	for k, v := range rs {
		cp[k] = v
	}
	cp["id"] = f.newID()
	f.orgRulesets[strings.ToLower(org)] = append(f.orgRulesets[strings.ToLower(org)], cp)
	return cp["id"].(int64)
}

// refMatches applies ruleset ref_name conditions to a branch.
func (r *Repo) refMatches(rs map[string]any, branch string) bool {
	if t, _ := rs["target"].(string); t != "" && t != "branch" {
		return false
	}
	if e, _ := rs["enforcement"].(string); e != "active" {
		return false
	}
	cond, _ := rs["conditions"].(map[string]any)
	rn, _ := cond["ref_name"].(map[string]any)
	if rn == nil {
		return true
	}
	match := func(list any) bool {
		items, _ := list.([]any)
		for _, it := range items {
			p := fmt.Sprint(it)
			switch p {
			case "~ALL":
				return true
			case "~DEFAULT_BRANCH":
				if branch == r.defaultBranch {
					return true
				}
				continue
			}
			if ok, _ := path.Match(strings.TrimPrefix(p, "refs/heads/"), branch); ok {
				return true
			}
		}
		return false
	}
	return match(rn["include"]) && !match(rn["exclude"])
}

func branchRules(f *Fake, c *call) reply {
	b := c.params["branch"]
	out := []any{}
	add := func(rs map[string]any, source, sourceType string) {
		if !c.repo.refMatches(rs, b) {
			return
		}
		rules, _ := rs["rules"].([]any)
		for _, rule := range rules {
			rm, _ := rule.(map[string]any)
			m := map[string]any{"ruleset_source_type": sourceType, "ruleset_source": source, "ruleset_id": rs["id"]}
			for k, v := range rm {
				m[k] = v
			}
			out = append(out, m)
		}
	}
	for _, rs := range c.repo.rulesets {
		add(rs, c.repo.fullName(), "Repository")
	}
	for _, rs := range f.orgRulesets[strings.ToLower(c.repo.Owner)] {
		add(rs, c.repo.Owner, "Organization")
	}
	return f.paginate(c, out)
}

func pvrGet(f *Fake, c *call) reply {
	return jsonReply(http.StatusOK, map[string]any{"enabled": c.repo.pvr})
}

func pvrEnable(f *Fake, c *call) reply {
	c.repo.pvr = true
	return reply{status: http.StatusNoContent}
}

func workflowPermsGet(f *Fake, c *call) reply {
	return jsonReply(http.StatusOK, map[string]any{"default_workflow_permissions": c.repo.workflowPerms,
		"can_approve_pull_request_reviews": c.repo.canApprove})
}

func workflowPermsSet(f *Fake, c *call) reply {
	var in struct {
		Perms      *string `json:"default_workflow_permissions"`
		CanApprove *bool   `json:"can_approve_pull_request_reviews"`
	}
	_ = c.decode(&in)
	if in.Perms != nil {
		c.repo.workflowPerms = *in.Perms
	}
	if in.CanApprove != nil {
		c.repo.canApprove = *in.CanApprove
	}
	return reply{status: http.StatusNoContent}
}

func advisoryCreate(f *Fake, c *call) reply {
	var in map[string]any
	_ = c.decode(&in)
	m := f.example("security-advisories/create-repository-advisory", "")
	for k, v := range in {
		m[k] = v
	}
	id := f.newID()
	ghsa := fmt.Sprintf("GHSA-fake-%04d-%04d", id/10000, id%10000)
	m["ghsa_id"], m["state"], m["cve_id"] = ghsa, "draft", in["cve_id"]
	m["url"] = f.repoURL(c.repo, "/security-advisories/"+ghsa)
	c.repo.advisories = append(c.repo.advisories, m)
	return jsonReply(http.StatusCreated, m)
}

func advisoryList(f *Fake, c *call) reply {
	out := []any{}
	for _, a := range c.repo.advisories {
		if s := c.query("state"); s != "" && s != a["state"] {
			continue
		}
		out = append(out, a)
	}
	return f.paginate(c, out)
}
