package githubfake

import (
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

func (f *Fake) repoJSON(r *Repo) map[string]any {
	m := f.example("repos/get", "")
	owner, _ := m["owner"].(map[string]any)
	if owner == nil {
		owner = map[string]any{}
	}
	owner["login"], owner["type"] = r.Owner, r.ownerType
	owner["url"], owner["html_url"] = f.URL()+"/users/"+r.Owner, f.URL()+"/"+r.Owner
	visibility := "public"
	if r.private {
		visibility = "private"
	}
	for k, v := range map[string]any{
		"id": r.ID, "node_id": nodeID("Repository", r.fullName()), "name": r.Name, "full_name": r.fullName(),
		"owner": owner, "private": r.private, "visibility": visibility, "archived": r.archived,
		"disabled": false, "fork": false, "default_branch": r.defaultBranch,
		"url": f.repoURL(r, ""), "html_url": f.URL() + "/" + r.fullName(),
		"size": len(r.objects), "organization": nil, "parent": nil, "source": nil, "template_repository": nil,
	} {
		m[k] = v
	}
	m["pushed_at"] = r.pushedAt.Format(time.RFC3339)
	if r.ownerType == "Organization" {
		m["organization"] = owner
	} else {
		delete(m, "organization")
	}
	delete(m, "parent")
	delete(m, "source")
	delete(m, "template_repository")
	return m
}

func reposGet(f *Fake, c *call) reply { return jsonReply(http.StatusOK, f.repoJSON(c.repo)) }

func reposUpdate(f *Fake, c *call) reply {
	var in struct {
		Archived      *bool   `json:"archived"`
		Private       *bool   `json:"private"`
		DefaultBranch *string `json:"default_branch"`
	}
	_ = c.decode(&in)
	if in.Archived != nil {
		c.repo.archived = *in.Archived
	}
	if in.Private != nil {
		c.repo.private = *in.Private
	}
	if in.DefaultBranch != nil {
		c.repo.defaultBranch = *in.DefaultBranch
	}
	return jsonReply(http.StatusOK, f.repoJSON(c.repo))
}

// refOrDefault resolves the ?ref= / ?sha= query, or the default branch.
func (c *call) refOrDefault(key string) (string, bool) {
	ref := c.query(key)
	if ref == "" {
		ref = c.repo.defaultBranch
	}
	return c.repo.resolve(ref)
}

func reposGetContent(f *Fake, c *call) reply {
	sha, ok := c.refOrDefault("ref")
	if !ok {
		return errReply(http.StatusNotFound, "No commit found for the ref "+c.query("ref"))
	}
	p := strings.Trim(c.params["path"], "/")
	files := map[string]fileEntry{}
	c.repo.flatten(c.repo.objects[sha].commit.Tree, "", files)
	entry := func(p string, fe fileEntry, typ string) map[string]any {
		m := f.example("repos/get-content", "response-if-content-is-a-file")
		m["type"], m["name"], m["path"], m["sha"] = typ, path.Base(p), p, fe.SHA
		m["url"] = f.repoURL(c.repo, "/contents/"+p)
		m["git_url"] = f.repoURL(c.repo, "/git/"+map[string]string{"file": "blobs", "dir": "trees"}[typ]+"/"+fe.SHA)
		m["html_url"] = f.URL() + "/" + c.repo.fullName() + "/blob/" + sha + "/" + p
		m["download_url"] = f.URL() + "/raw/" + c.repo.fullName() + "/" + sha + "/" + p
		m["_links"] = map[string]any{"self": m["url"], "git": m["git_url"], "html": m["html_url"]}
		if typ == "file" {
			data := c.repo.objects[fe.SHA].data
			m["size"], m["content"], m["encoding"] = len(data), wrap64(data), "base64"
		} else {
			m["size"], m["download_url"] = 0, nil
			delete(m, "content")
			delete(m, "encoding")
		}
		return m
	}
	if fe, ok := files[p]; ok {
		if strings.Contains(c.r.Header.Get("Accept"), "raw") {
			return reply{status: http.StatusOK, body: append([]byte{}, c.repo.objects[fe.SHA].data...),
				header: map[string]string{"Content-Type": "application/vnd.github.raw"}}
		}
		return jsonReply(http.StatusOK, entry(p, fe, "file"))
	}
	// A directory: list its direct children.
	seen := map[string]bool{}
	var list []any
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	var names []string
	for fp := range files {
		if strings.HasPrefix(fp, prefix) {
			names = append(names, fp)
		}
	}
	sort.Strings(names)
	for _, fp := range names {
		rest := strings.TrimPrefix(fp, prefix)
		if name, _, nested := strings.Cut(rest, "/"); nested {
			if !seen[name] {
				seen[name] = true
				list = append(list, entry(prefix+name, fileEntry{SHA: ""}, "dir"))
			}
			continue
		}
		list = append(list, entry(fp, files[fp], "file"))
	}
	if list == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, list)
}

// commitJSON is the repos-API commit shape (get-commit, list-commits, compare).
func (f *Fake) commitJSON(r *Repo, sha string, withFiles bool) map[string]any {
	m := f.example("repos/get-commit", "")
	gc := f.gitCommitJSON(r, sha)
	inner, _ := m["commit"].(map[string]any)
	if inner == nil {
		inner = map[string]any{}
	}
	for _, k := range []string{"author", "committer", "message", "tree", "verification", "url"} {
		inner[k] = gc[k]
	}
	inner["comment_count"] = 0
	m["commit"] = inner
	m["sha"], m["node_id"], m["url"], m["html_url"] = sha, gc["node_id"], f.repoURL(r, "/commits/"+sha), gc["html_url"]
	m["parents"] = gc["parents"]
	m["comments_url"] = f.repoURL(r, "/commits/"+sha+"/comments")
	cm := r.objects[sha].commit
	m["author"], m["committer"] = f.userJSON(cm.Author), f.userJSON(cm.Committer)
	if !withFiles {
		delete(m, "files")
		delete(m, "stats")
		return m
	}
	before := map[string]fileEntry{}
	if ps := r.objects[sha].commit.Parents; len(ps) > 0 {
		r.flatten(r.objects[ps[0]].commit.Tree, "", before)
	}
	after := map[string]fileEntry{}
	r.flatten(r.objects[sha].commit.Tree, "", after)
	m["files"] = f.filesJSON(r, before, after)
	m["stats"] = map[string]any{"additions": 0, "deletions": 0, "total": 0}
	return m
}

func (f *Fake) filesJSON(r *Repo, before, after map[string]fileEntry) []any {
	out := []any{}
	for _, p := range changedPaths(before, after) {
		status, sha := "modified", after[p].SHA
		if _, ok := before[p]; !ok {
			status = "added"
		} else if _, ok := after[p]; !ok {
			status, sha = "removed", before[p].SHA
		}
		out = append(out, map[string]any{"sha": sha, "filename": p, "status": status,
			"additions": 0, "deletions": 0, "changes": 0,
			"blob_url":     f.URL() + "/" + r.fullName() + "/blob/" + sha + "/" + p,
			"raw_url":      f.URL() + "/" + r.fullName() + "/raw/" + sha + "/" + p,
			"contents_url": f.repoURL(r, "/contents/"+p)})
	}
	return out
}

func reposGetCommit(f *Fake, c *call) reply {
	sha, ok := c.repo.resolve(c.params["ref"])
	if !ok || c.repo.objects[sha].commit == nil {
		return errReply(http.StatusUnprocessableEntity, "No commit found for SHA: "+c.params["ref"])
	}
	if strings.Contains(c.r.Header.Get("Accept"), ".sha") {
		return reply{status: http.StatusOK, body: []byte(sha), header: map[string]string{"Content-Type": "application/vnd.github.sha; charset=utf-8"}}
	}
	return jsonReply(http.StatusOK, f.commitJSON(c.repo, sha, true))
}

func reposListCommits(f *Fake, c *call) reply {
	sha, ok := c.refOrDefault("sha")
	if !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	filter := strings.Trim(c.query("path"), "/")
	out := []any{}
	for _, s := range c.repo.history(sha) {
		if filter != "" {
			before := map[string]fileEntry{}
			if ps := c.repo.objects[s].commit.Parents; len(ps) > 0 {
				c.repo.flatten(c.repo.objects[ps[0]].commit.Tree, "", before)
			}
			after := map[string]fileEntry{}
			c.repo.flatten(c.repo.objects[s].commit.Tree, "", after)
			hit := false
			for _, p := range changedPaths(before, after) {
				hit = hit || p == filter || strings.HasPrefix(p, filter+"/")
			}
			if !hit {
				continue
			}
		}
		out = append(out, f.commitJSON(c.repo, s, false))
	}
	return f.paginate(c, out)
}

func reposCompare(f *Fake, c *call) reply {
	base, ok1 := c.repo.resolve(c.params["base"])
	head, ok2 := c.repo.resolve(c.params["head"])
	if !ok1 || !ok2 {
		return errReply(http.StatusNotFound, "Not Found")
	}
	status, ahead, behind := c.repo.compare(base, head)
	m := f.example("repos/compare-commits", "")
	commits := []any{}
	for i := len(ahead) - 1; i >= 0; i-- { // oldest first, as GitHub lists them
		commits = append(commits, f.commitJSON(c.repo, ahead[i], false))
	}
	mergeBase := base
	hb := c.repo.ancestors(head)
	for _, s := range c.repo.history(base) {
		if hb[s] {
			mergeBase = s
			break
		}
	}
	b, a := map[string]fileEntry{}, map[string]fileEntry{}
	c.repo.flatten(c.repo.objects[mergeBase].commit.Tree, "", b)
	c.repo.flatten(c.repo.objects[head].commit.Tree, "", a)
	for k, v := range map[string]any{
		"status": status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
		"commits": commits, "base_commit": f.commitJSON(c.repo, base, false),
		"merge_base_commit": f.commitJSON(c.repo, mergeBase, false),
		"files":             f.filesJSON(c.repo, b, a),
		"url":               f.repoURL(c.repo, "/compare/"+c.params["base"]+"..."+c.params["head"]),
	} {
		m[k] = v
	}
	return jsonReply(http.StatusOK, m)
}

func (f *Fake) branchNames(r *Repo) []string {
	var names []string
	for ref := range r.refs {
		if n, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func reposListBranches(f *Fake, c *call) reply {
	out := []any{}
	for _, n := range f.branchNames(c.repo) {
		_, prot := c.repo.protection[n]
		if c.query("protected") == "true" && !prot {
			continue
		}
		sha := c.repo.refs["refs/heads/"+n]
		out = append(out, map[string]any{"name": n, "protected": prot,
			"commit": map[string]any{"sha": sha, "url": f.repoURL(c.repo, "/commits/"+sha)}})
	}
	return f.paginate(c, out)
}

func reposGetBranch(f *Fake, c *call) reply {
	n := c.params["branch"]
	sha, ok := c.repo.refs["refs/heads/"+n]
	if !ok {
		return errReply(http.StatusNotFound, "Branch not found")
	}
	m := f.example("repos/get-branch", "")
	_, prot := c.repo.protection[n]
	m["name"], m["protected"], m["commit"] = n, prot, f.commitJSON(c.repo, sha, false)
	m["protection_url"] = f.repoURL(c.repo, "/branches/"+n+"/protection")
	m["_links"] = map[string]any{"self": f.repoURL(c.repo, "/branches/"+n), "html": f.URL() + "/" + c.repo.fullName() + "/tree/" + n}
	if !prot {
		m["protection"] = map[string]any{"enabled": false, "required_status_checks": map[string]any{
			"enforcement_level": "off", "contexts": []any{}, "checks": []any{}}}
	}
	return jsonReply(http.StatusOK, m)
}

func reposListTags(f *Fake, c *call) reply {
	var names []string
	for ref := range c.repo.refs {
		if n, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
			names = append(names, n)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	out := []any{}
	for _, n := range names {
		sha := c.repo.peel(c.repo.refs["refs/tags/"+n])
		out = append(out, map[string]any{"name": n, "node_id": nodeID("Tag", n),
			"commit":      map[string]any{"sha": sha, "url": f.repoURL(c.repo, "/commits/"+sha)},
			"zipball_url": f.repoURL(c.repo, "/zipball/refs/tags/"+n), "tarball_url": f.repoURL(c.repo, "/tarball/refs/tags/"+n)})
	}
	return f.paginate(c, out)
}

func reposListForOrg(f *Fake, c *call) reply {
	out := []any{}
	for _, r := range f.repoOrder {
		if strings.EqualFold(r.Owner, c.params["org"]) {
			out = append(out, f.repoJSON(r))
		}
	}
	return f.paginate(c, out)
}
