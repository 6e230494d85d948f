package githubfake

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func (r *Repo) pull(number string) *PullRequest {
	n, _ := strconv.Atoi(number)
	for _, p := range r.pulls {
		if p.Number == n {
			return p
		}
	}
	return nil
}

func (f *Fake) labelsJSON(r *Repo, names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, f.labelJSON(r, n))
	}
	return out
}

func (f *Fake) labelJSON(r *Repo, name string) map[string]any {
	l := r.labels[strings.ToLower(name)]
	color, desc := "ededed", ""
	if l != nil {
		color, _ = l["color"].(string)
		desc, _ = l["description"].(string)
		name, _ = l["name"].(string)
	}
	return map[string]any{"id": len(name) + 1, "node_id": nodeID("Label", name), "url": f.repoURL(r, "/labels/"+name),
		"name": name, "description": desc, "color": color, "default": false}
}

func (f *Fake) pullJSON(r *Repo, p *PullRequest) map[string]any {
	m := f.example("pulls/get", "")
	side := func(branch string) map[string]any {
		sha := r.refs["refs/heads/"+branch]
		return map[string]any{"label": r.Owner + ":" + branch, "ref": branch, "sha": sha,
			"user": map[string]any{"login": r.Owner, "type": r.ownerType}, "repo": f.repoJSON(r)}
	}
	head := side(p.Head)
	if p.HeadOwner != "" {
		head = f.forkSide(r, p)
	}
	url := f.repoURL(r, fmt.Sprintf("/pulls/%d", p.Number))
	for k, v := range map[string]any{
		"number": p.Number, "id": int64(p.Number) + r.ID*1000, "node_id": nodeID("PullRequest", url), "url": url,
		"html_url": f.URL() + "/" + r.fullName() + fmt.Sprintf("/pull/%d", p.Number),
		"title":    p.Title, "body": p.Body, "state": p.State, "draft": p.Draft, "merged": p.Merged,
		"labels": f.labelsJSON(r, p.Labels), "head": head, "base": side(p.Base),
		"user": map[string]any{"login": appBot.Name, "type": "Bot"}, "merged_at": mergedAt(p), "closed_at": nil,
		"milestone": nil, "assignee": nil, "assignees": []any{}, "requested_reviewers": []any{}, "requested_teams": []any{},
		"auto_merge": nil, "merged_by": nil,
	} {
		m[k] = v
	}
	return m
}

func pullsCreate(f *Fake, c *call) reply {
	var in struct {
		Title, Head, Base, Body string
		Draft                   bool
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	head := in.Head
	if owner, br, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, c.repo.Owner) {
			return errReply(http.StatusUnprocessableEntity, "Validation Failed: head is from another repository")
		}
		head = br
	}
	if _, ok := c.repo.refs["refs/heads/"+head]; !ok {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: head invalid")
	}
	if _, ok := c.repo.refs["refs/heads/"+in.Base]; !ok {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: base invalid")
	}
	for _, p := range c.repo.pulls {
		if p.State == "open" && p.Head == head && p.Base == in.Base {
			return errReply(http.StatusUnprocessableEntity, "Validation Failed: A pull request already exists for "+c.repo.Owner+":"+head+".")
		}
	}
	if st, _, _ := c.repo.compare(c.repo.refs["refs/heads/"+in.Base], c.repo.refs["refs/heads/"+head]); st == "identical" || st == "behind" {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: No commits between "+in.Base+" and "+head)
	}
	c.repo.nextNumber++
	p := &PullRequest{Number: c.repo.nextNumber, Head: head, Base: in.Base, Title: in.Title, Body: in.Body, State: "open", Draft: in.Draft}
	c.repo.pulls = append(c.repo.pulls, p)
	return jsonReply(http.StatusCreated, f.pullJSON(c.repo, p))
}

func pullsGet(f *Fake, c *call) reply {
	p := c.repo.pull(c.params["pull_number"])
	if p == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.pullJSON(c.repo, p))
}

func pullsList(f *Fake, c *call) reply {
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	head := c.query("head")
	out := []any{}
	for _, p := range c.repo.pulls {
		if state != "all" && p.State != state {
			continue
		}
		owner := c.repo.Owner
		if p.HeadOwner != "" {
			owner = p.HeadOwner
		}
		if head != "" && !strings.EqualFold(head, owner+":"+p.Head) {
			continue
		}
		if b := c.query("base"); b != "" && b != p.Base {
			continue
		}
		out = append(out, f.pullJSON(c.repo, p))
	}
	return f.paginate(c, out)
}

func pullsUpdate(f *Fake, c *call) reply {
	p := c.repo.pull(c.params["pull_number"])
	if p == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	var in struct {
		Title, Body, State, Base *string
	}
	_ = c.decode(&in)
	for dst, src := range map[*string]*string{&p.Title: in.Title, &p.Body: in.Body, &p.State: in.State, &p.Base: in.Base} {
		if src != nil {
			*dst = *src
		}
	}
	return jsonReply(http.StatusOK, f.pullJSON(c.repo, p))
}

func pullsListCommits(f *Fake, c *call) reply {
	p := c.repo.pull(c.params["pull_number"])
	if p == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	_, ahead, _ := c.repo.compare(c.repo.refs["refs/heads/"+p.Base], c.repo.refs["refs/heads/"+p.Head])
	out := []any{}
	for i := len(ahead) - 1; i >= 0; i-- {
		out = append(out, f.commitJSON(c.repo, ahead[i], false))
	}
	return f.paginate(c, out)
}

func pullsListFiles(f *Fake, c *call) reply {
	p := c.repo.pull(c.params["pull_number"])
	if p == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	base, head := c.repo.refs["refs/heads/"+p.Base], c.repo.refs["refs/heads/"+p.Head]
	mb := base
	ha := c.repo.ancestors(head)
	for _, s := range c.repo.history(base) {
		if ha[s] {
			mb = s
			break
		}
	}
	b, a := map[string]fileEntry{}, map[string]fileEntry{}
	c.repo.flatten(c.repo.objects[mb].commit.Tree, "", b)
	c.repo.flatten(c.repo.objects[head].commit.Tree, "", a)
	return f.paginate(c, f.filesJSON(c.repo, b, a))
}

func (f *Fake) issueJSON(r *Repo, n int) (map[string]any, bool) {
	m := f.example("issues/get", "")
	num := strconv.Itoa(n)
	if is := r.issues[n]; is != nil {
		return f.plainIssueJSON(r, is), true
	}
	title, ok := "", false
	state, body, labels := "open", "", []string(nil)
	if p := r.pull(num); p != nil {
		title, state, body, labels, ok = p.Title, p.State, p.Body, p.Labels, true
		m["pull_request"] = map[string]any{"url": f.repoURL(r, "/pulls/"+num)}
	} else {
		delete(m, "pull_request")
	}
	if !ok {
		return nil, false
	}
	for k, v := range map[string]any{"number": n, "title": title, "state": state, "body": body,
		"labels": f.labelsJSON(r, labels), "url": f.repoURL(r, "/issues/"+num)} {
		m[k] = v
	}
	return m, true
}

func issuesCreate(f *Fake, c *call) reply {
	var in struct {
		Title any
		Body  string
	}
	_ = c.decode(&in)
	c.repo.nextNumber++
	author, bot := "octocat", false
	if c.token != nil {
		author, bot = appBot.Name, true // an installation token acts as the App's bot
	}
	c.repo.issues[c.repo.nextNumber] = &Issue{Number: c.repo.nextNumber, Title: fmt.Sprint(in.Title), Body: in.Body,
		State: "open", Author: author, Bot: bot}
	m, _ := f.issueJSON(c.repo, c.repo.nextNumber)
	return jsonReply(http.StatusCreated, m)
}

func issuesGet(f *Fake, c *call) reply {
	n, _ := strconv.Atoi(c.params["issue_number"])
	m, ok := f.issueJSON(c.repo, n)
	if !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, m)
}

func issuesUpdate(f *Fake, c *call) reply {
	n, _ := strconv.Atoi(c.params["issue_number"])
	var in struct {
		Title, Body, State *string
		Labels             []any
	}
	_ = c.decode(&in)
	if p := c.repo.pull(c.params["issue_number"]); p != nil {
		for dst, src := range map[*string]*string{&p.Title: in.Title, &p.Body: in.Body, &p.State: in.State} {
			if src != nil {
				*dst = *src
			}
		}
		if in.Labels != nil {
			p.Labels = nil
			for _, l := range in.Labels {
				p.Labels = append(p.Labels, labelName(l))
			}
		}
	} else if is := c.repo.issues[n]; is != nil {
		for dst, src := range map[*string]*string{&is.Title: in.Title, &is.Body: in.Body, &is.State: in.State} {
			if src != nil {
				*dst = *src
			}
		}
		is.Edits++
	}
	m, ok := f.issueJSON(c.repo, n)
	if !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, m)
}

func labelName(v any) string {
	if m, ok := v.(map[string]any); ok {
		return fmt.Sprint(m["name"])
	}
	return fmt.Sprint(v)
}

func (f *Fake) commentJSON(r *Repo, cm *Comment) map[string]any {
	m := f.example("issues/create-comment", "")
	m["id"], m["body"], m["node_id"] = cm.ID, cm.Body, nodeID("IssueComment", strconv.FormatInt(cm.ID, 10))
	m["url"] = f.repoURL(r, fmt.Sprintf("/issues/comments/%d", cm.ID))
	m["issue_url"] = f.repoURL(r, fmt.Sprintf("/issues/%d", cm.Issue))
	m["user"] = map[string]any{"login": appBot.Name, "type": "Bot"}
	return m
}

func issuesCreateComment(f *Fake, c *call) reply {
	n, _ := strconv.Atoi(c.params["issue_number"])
	if _, ok := f.issueJSON(c.repo, n); !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	var in struct{ Body string }
	_ = c.decode(&in)
	cm := &Comment{ID: f.newID(), Issue: n, Body: in.Body}
	c.repo.comments = append(c.repo.comments, cm)
	return jsonReply(http.StatusCreated, f.commentJSON(c.repo, cm))
}

func issuesListComments(f *Fake, c *call) reply {
	n, _ := strconv.Atoi(c.params["issue_number"])
	out := []any{}
	for _, cm := range c.repo.comments {
		if cm.Issue == n {
			out = append(out, f.commentJSON(c.repo, cm))
		}
	}
	return f.paginate(c, out)
}

func issuesUpdateComment(f *Fake, c *call) reply {
	id, _ := strconv.ParseInt(c.params["comment_id"], 10, 64)
	var in struct{ Body string }
	_ = c.decode(&in)
	for _, cm := range c.repo.comments {
		if cm.ID == id {
			cm.Body = in.Body
			return jsonReply(http.StatusOK, f.commentJSON(c.repo, cm))
		}
	}
	return errReply(http.StatusNotFound, "Not Found")
}

func issuesAddLabels(f *Fake, c *call) reply {
	p := c.repo.pull(c.params["issue_number"])
	if p == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	v, _ := decodeJSON(c.body)
	var names []any
	switch x := v.(type) {
	case map[string]any:
		names, _ = x["labels"].([]any)
	default:
		// The operation documents {"labels": [...]}; bare arrays are a
		// legacy form clients must not rely on.
		return errReply(http.StatusUnprocessableEntity, `Invalid request. Send {"labels": [...]}.`)
	}
	for _, l := range names {
		n := labelName(l)
		dup := false
		for _, have := range p.Labels {
			dup = dup || strings.EqualFold(have, n)
		}
		if !dup {
			p.Labels = append(p.Labels, n)
		}
	}
	return jsonReply(http.StatusOK, f.labelsJSON(c.repo, p.Labels))
}

func issuesCreateLabel(f *Fake, c *call) reply {
	var in map[string]any
	_ = c.decode(&in)
	name := fmt.Sprint(in["name"])
	if _, ok := c.repo.labels[strings.ToLower(name)]; ok {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: already_exists")
	}
	if in["color"] == nil {
		in["color"] = "ededed"
	}
	c.repo.labels[strings.ToLower(name)] = in
	return jsonReply(http.StatusCreated, f.labelJSON(c.repo, name))
}

func issuesGetLabel(f *Fake, c *call) reply {
	if _, ok := c.repo.labels[strings.ToLower(c.params["name"])]; !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.labelJSON(c.repo, c.params["name"]))
}

func issuesListLabels(f *Fake, c *call) reply {
	var names []string
	for _, l := range c.repo.labels {
		names = append(names, fmt.Sprint(l["name"]))
	}
	sort.Strings(names)
	out := []any{}
	for _, n := range names {
		out = append(out, f.labelJSON(c.repo, n))
	}
	return f.paginate(c, out)
}
