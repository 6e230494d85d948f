package githubfake

import (
	"net/http"
	"strconv"
	"strings"
)

// The App the fake plays: GET /app answers it, check runs created through the
// API belong to it, and its bot is the author of the commits it makes.
const (
	AppID   int64 = 1
	AppSlug       = "hardener"
)

// extraHandlers are the operations with behaviour defined in this file and
// in forks.go (merged into handlers at init).
var extraHandlers = map[string]handlerFunc{
	"apps/get-authenticated":                          appsGetAuthenticated,
	"repos/list-pull-requests-associated-with-commit": reposPullsForCommit,
}

func appsGetAuthenticated(f *Fake, c *call) reply {
	m := f.example("apps/get-authenticated", "")
	m["id"], m["slug"], m["name"], m["node_id"] = AppID, AppSlug, "Hardener", nodeID("App", AppSlug)
	return jsonReply(http.StatusOK, m)
}

// AddUser makes commits whose author or committer e-mail is email belong to
// the account login in API answers (GitHub matches commits to accounts by
// e-mail). The App's bot is always known.
func (f *Fake) AddUser(login, email string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users == nil {
		f.users = map[string]string{}
	}
	f.users[strings.ToLower(email)] = login
}

// userJSON is the account GitHub shows for a commit signature: nil when no
// account has its e-mail.
func (f *Fake) userJSON(s Signature) any {
	if strings.EqualFold(s.Email, appBot.Email) {
		return map[string]any{"login": appBot.Name, "id": 41898282, "type": "Bot"}
	}
	if login, ok := f.users[strings.ToLower(s.Email)]; ok {
		return map[string]any{"login": login, "id": len(login) + 1000, "type": "User"}
	}
	return nil
}

// CommitSigned adds a commit on branch with author and committer whose
// signature GitHub verifies: a person who signs their commits (with the key
// of the committer's account), naming themselves as they like.
func (r *Repo) CommitSigned(branch, message string, files map[string]string, author, committer Signature) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	parent := r.mustResolve(branch)
	base := map[string]fileEntry{}
	r.flatten(r.objects[parent].commit.Tree, "", base)
	author.When = r.tick()
	committer.When = author.When
	sha := r.putCommit(&gitCommit{Tree: r.treeFromContents(base, files, nil), Parents: []string{parent},
		Author: author, Committer: committer, Message: message, AuthorGiven: true, CommitterGiven: true, Verified: true})
	r.refs["refs/heads/"+branch] = sha
	return sha
}

// AddCheckRun adds a check run made by another App (appID) or by a GitHub
// Actions job of the same name, and returns its ID. The fake refuses to let
// the App change it, as GitHub does.
func (r *Repo) AddCheckRun(name, headSHA string, appID int64, status, conclusion string) int64 {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha := r.mustResolve(headSHA)
	run := &CheckRun{ID: r.f.newID(), Name: name, HeadSHA: sha, Status: status, Conclusion: conclusion,
		AppID: appID, SuiteID: r.suiteFor(r.f, sha)}
	r.checkRuns = append(r.checkRuns, run)
	return run.ID
}

// appJSON is the App a check run belongs to.
func appJSON(id int64) map[string]any {
	slug := AppSlug
	if id != AppID {
		slug = "other-app-" + strconv.FormatInt(id, 10)
	}
	return map[string]any{"id": id, "slug": slug, "node_id": nodeID("App", slug), "name": slug}
}

// patchProtectionChecks corrects the branch protection PUT's schema: the
// subset requires the deprecated `contexts`, but GitHub takes `contexts` or
// `checks` (which binds a check to an App), and refuses both together.
func patchProtectionChecks(paths map[string]any) {
	item, _ := paths["/repos/{owner}/{repo}/branches/{branch}/protection"].(map[string]any)
	sch, _ := jsonPath(item, "put", "requestBody", "content", "application/json", "schema", "properties", "required_status_checks").(map[string]any)
	if sch == nil {
		return
	}
	sch["required"] = []any{"strict"}
	one := func(has, not string) map[string]any {
		return map[string]any{"type": "object", "required": []any{has}, "not": map[string]any{"required": []any{not}}}
	}
	sch["anyOf"] = []any{map[string]any{"type": "null"}, one("contexts", "checks"), one("checks", "contexts")}
}
