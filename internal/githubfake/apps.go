package githubfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RulesetsNeedPaidPlan makes creating a ruleset on a private repository answer 403, as
// GitHub does on the free plan.
func RulesetsNeedPaidPlan() Option { return func(f *Fake) { f.rulesetsNeedPlan = true } }

func (f *Fake) installation(id string) *Installation {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, in := range f.installations {
		if in.ID == n {
			return in
		}
	}
	return nil
}

// installationRepos lists the repositories an installation can reach.
func (f *Fake) installationRepos(in *Installation) []*Repo {
	var out []*Repo
	for _, r := range f.repoOrder {
		if in.Repos == nil && strings.EqualFold(r.Owner, in.Account) {
			out = append(out, r)
			continue
		}
		for _, name := range in.Repos {
			if strings.EqualFold(name, r.fullName()) {
				out = append(out, r)
			}
		}
	}
	return out
}

func (f *Fake) installationJSON(in *Installation) map[string]any {
	m := f.example("apps/get-installation", "")
	acct, _ := m["account"].(map[string]any)
	if acct == nil {
		acct = map[string]any{}
	}
	acct["login"], acct["type"] = in.Account, in.AccountType
	sel := "all"
	if in.Repos != nil {
		sel = "selected"
	}
	m["id"], m["account"], m["permissions"], m["target_type"] = in.ID, acct, in.Permissions, in.AccountType
	m["repository_selection"], m["app_slug"] = sel, "hardener"
	m["access_tokens_url"] = f.URL() + "/app/installations/" + strconv.FormatInt(in.ID, 10) + "/access_tokens"
	return m
}

func appsCreateToken(f *Fake, c *call) reply {
	in := f.installation(c.params["installation_id"])
	if in == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	_ = c.decode(&body)
	for k, v := range body.Permissions {
		have := in.Permissions[k]
		if have == "" || have == "read" && v == "write" {
			return errReply(http.StatusUnprocessableEntity, "The permissions requested are not granted to this installation.")
		}
	}
	reachable := f.installationRepos(in)
	var repos []any
	for _, name := range body.Repositories {
		found := false
		for _, r := range reachable {
			if strings.EqualFold(r.Name, name) {
				repos, found = append(repos, f.repoJSON(r)), true
			}
		}
		if !found {
			return errReply(http.StatusUnprocessableEntity, "There is at least one repository that does not exist or is not accessible to the parent installation.")
		}
	}
	for _, id := range body.RepositoryIDs {
		for _, r := range reachable {
			if r.ID == id {
				repos = append(repos, f.repoJSON(r))
			}
		}
	}
	tok := f.issueToken(in.ID, body.Permissions, body.Repositories)
	tok.RepositoryIDs = body.RepositoryIDs
	f.apiTokens = append(f.apiTokens, tok)
	m := f.example("apps/create-installation-access-token", "")
	m["token"], m["expires_at"], m["permissions"] = tok.Value, tok.ExpiresAt.Format(time.RFC3339), tok.Permissions
	if repos == nil {
		m["repository_selection"] = "all"
		delete(m, "repositories")
	} else {
		m["repository_selection"], m["repositories"] = "selected", repos
	}
	return jsonReply(http.StatusCreated, m)
}

func appsGetInstallation(f *Fake, c *call) reply {
	in := f.installation(c.params["installation_id"])
	if in == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.installationJSON(in))
}

func appsListInstallations(f *Fake, c *call) reply {
	out := []any{}
	for _, in := range f.installations {
		out = append(out, f.installationJSON(in))
	}
	return f.paginate(c, out)
}

func appsListRepos(f *Fake, c *call) reply {
	if c.token == nil {
		return errReply(http.StatusUnauthorized, "Bad credentials")
	}
	in := f.installation(strconv.FormatInt(c.token.InstallationID, 10))
	var repos []*Repo
	if in != nil {
		for _, r := range f.installationRepos(in) {
			if c.token.Repositories != nil {
				keep := false
				for _, n := range c.token.Repositories {
					keep = keep || strings.EqualFold(n, r.Name)
				}
				if !keep {
					continue
				}
			}
			repos = append(repos, r)
		}
	}
	// Only the page asked for is rendered: installations in fleet tests
	// have thousands of repositories.
	out := make([]any, len(repos))
	rp := f.paginate(c, out)
	page := rp.body.([]any)
	start := pageStart(c)
	for i := range page {
		page[i] = f.repoJSON(repos[start+i])
	}
	sel := "all"
	if c.token.Repositories != nil || in != nil && in.Repos != nil {
		sel = "selected"
	}
	rp.body = map[string]any{"total_count": len(out), "repositories": rp.body, "repository_selection": sel}
	return rp
}

func appsGetRepoInstallation(f *Fake, c *call) reply {
	for _, in := range f.installations {
		for _, r := range f.installationRepos(in) {
			if r == c.repo {
				return jsonReply(http.StatusOK, f.installationJSON(in))
			}
		}
	}
	return errReply(http.StatusNotFound, "Not Found")
}

func (f *Fake) deliveryJSON(d *Delivery, full bool) map[string]any {
	m := f.example("apps/get-webhook-delivery", "")
	guid := d.GUID
	if guid == "" {
		guid = "00000000-0000-0000-0000-" + strconv.FormatInt(100000000000+d.ID, 10)
	}
	for k, v := range map[string]any{"id": d.ID, "guid": guid, "event": d.Event, "action": d.Action,
		"status": d.Status, "status_code": d.StatusCode, "redelivery": d.Redelivery, "installation_id": 1} {
		m[k] = v
	}
	if !full {
		delete(m, "request")
		delete(m, "response")
		delete(m, "url")
	}
	return m
}

func appsListDeliveries(f *Fake, c *call) reply {
	out := []any{}
	for i := len(f.deliveries) - 1; i >= 0; i-- { // newest first
		out = append(out, f.deliveryJSON(f.deliveries[i], false))
	}
	return f.paginate(c, out)
}

func (f *Fake) delivery(id string) *Delivery {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, d := range f.deliveries {
		if d.ID == n {
			return d
		}
	}
	return nil
}

func appsGetDelivery(f *Fake, c *call) reply {
	d := f.delivery(c.params["delivery_id"])
	if d == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.deliveryJSON(d, true))
}

func appsRedeliver(f *Fake, c *call) reply {
	d := f.delivery(c.params["delivery_id"])
	if d == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	d.Redelivered++
	return jsonReply(http.StatusAccepted, map[string]any{})
}
