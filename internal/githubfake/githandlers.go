package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// appBot is the identity GitHub uses for commits an App makes without naming an author.
var appBot = Signature{Name: "hardener[bot]", Email: "41898282+hardener[bot]@users.noreply.github.com"}

func (f *Fake) repoURL(r *Repo, rest string) string {
	return f.URL() + "/repos/" + r.fullName() + rest
}

func (f *Fake) refJSON(r *Repo, ref string) map[string]any {
	sha := r.refs[ref]
	return map[string]any{
		"ref": ref, "node_id": nodeID("Ref", ref), "url": f.repoURL(r, "/git/"+ref),
		"object": map[string]any{"type": r.objects[sha].typ, "sha": sha, "url": f.repoURL(r, "/git/"+r.objects[sha].typ+"s/"+sha)},
	}
}

func nodeID(kind, s string) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + s))
}

func sigJSON(s Signature) map[string]any {
	return map[string]any{"name": s.Name, "email": s.Email, "date": s.When.UTC().Format(time.RFC3339)}
}

func (f *Fake) gitCommitJSON(r *Repo, sha string) map[string]any {
	c := r.objects[sha].commit
	parents := []any{}
	for _, p := range c.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": f.repoURL(r, "/git/commits/"+p), "html_url": f.URL() + "/" + r.fullName() + "/commit/" + p})
	}
	reason := "unsigned"
	if c.Verified {
		reason = "valid"
	}
	return map[string]any{
		"sha": sha, "node_id": nodeID("Commit", sha), "url": f.repoURL(r, "/git/commits/"+sha),
		"html_url": f.URL() + "/" + r.fullName() + "/commit/" + sha,
		"author":   sigJSON(c.Author), "committer": sigJSON(c.Committer), "message": c.Message,
		"tree":    map[string]any{"sha": c.Tree, "url": f.repoURL(r, "/git/trees/"+c.Tree)},
		"parents": parents,
		"verification": map[string]any{"verified": c.Verified, "reason": reason, "signature": nil,
			"payload": nil, "verified_at": nil},
	}
}

func gitGetRef(f *Fake, c *call) reply {
	ref := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[ref]; !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.refJSON(c.repo, ref))
}

func gitListMatchingRefs(f *Fake, c *call) reply {
	prefix := "refs/" + c.params["ref"]
	var names []string
	for ref := range c.repo.refs {
		if strings.HasPrefix(ref, prefix) {
			names = append(names, ref)
		}
	}
	sort.Strings(names)
	out := []any{}
	for _, n := range names {
		out = append(out, f.refJSON(c.repo, n))
	}
	return f.paginate(c, out)
}

func gitGetTag(f *Fake, c *call) reply {
	sha := c.params["tag_sha"]
	o := c.repo.objects[sha]
	if o == nil || o.typ != "tag" {
		return errReply(http.StatusNotFound, "Not Found")
	}
	t := o.tag
	return jsonReply(http.StatusOK, map[string]any{
		"node_id": nodeID("Tag", sha), "tag": t.Tag, "sha": sha, "url": f.repoURL(c.repo, "/git/tags/"+sha),
		"message": t.Message, "tagger": sigJSON(t.Tagger),
		"object":       map[string]any{"type": t.Type, "sha": t.Object, "url": f.repoURL(c.repo, "/git/"+t.Type+"s/"+t.Object)},
		"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	})
}

func gitGetCommit(f *Fake, c *call) reply {
	sha := c.params["commit_sha"]
	if o := c.repo.objects[sha]; o == nil || o.typ != "commit" {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.gitCommitJSON(c.repo, sha))
}

func gitGetTree(f *Fake, c *call) reply {
	sha := c.params["tree_sha"]
	if s, ok := c.repo.resolve(sha); ok && c.repo.objects[s].typ == "commit" {
		sha = c.repo.objects[s].commit.Tree
	}
	o := c.repo.objects[sha]
	if o == nil || o.typ != "tree" {
		return errReply(http.StatusNotFound, "Not Found")
	}
	var entries []any
	var walk func(t *object, prefix string)
	walk = func(t *object, prefix string) {
		for _, e := range t.tree {
			mode := e.Mode
			if mode == "40000" {
				mode = "040000"
			}
			ent := map[string]any{"path": prefix + e.Name, "mode": mode, "type": e.typ(), "sha": e.SHA,
				"url": f.repoURL(c.repo, "/git/"+e.typ()+"s/"+e.SHA)}
			if e.typ() == "blob" {
				ent["size"] = len(c.repo.objects[e.SHA].data)
			}
			entries = append(entries, ent)
			if e.typ() == "tree" && c.query("recursive") != "" {
				walk(c.repo.objects[e.SHA], prefix+e.Name+"/")
			}
		}
	}
	walk(o, "")
	truncated := false
	if limit := f.treeLimit; limit > 0 && len(entries) > limit {
		entries, truncated = entries[:limit], true
	}
	return jsonReply(http.StatusOK, map[string]any{"sha": sha, "url": f.repoURL(c.repo, "/git/trees/"+sha),
		"tree": entries, "truncated": truncated})
}

func gitGetBlob(f *Fake, c *call) reply {
	sha := c.params["file_sha"]
	o := c.repo.objects[sha]
	if o == nil || o.typ != "blob" {
		return errReply(http.StatusNotFound, "Not Found")
	}
	if strings.Contains(c.r.Header.Get("Accept"), "raw") {
		return reply{status: http.StatusOK, body: append([]byte{}, o.data...), header: map[string]string{"Content-Type": "application/octet-stream"}}
	}
	return jsonReply(http.StatusOK, map[string]any{"content": wrap64(o.data), "encoding": "base64",
		"url": f.repoURL(c.repo, "/git/blobs/"+sha), "sha": sha, "size": len(o.data), "node_id": nodeID("Blob", sha)})
}

// wrap64 encodes like GitHub: base64 with a newline every 60 characters.
func wrap64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 60 {
		out.WriteString(s[:60] + "\n")
		s = s[60:]
	}
	out.WriteString(s + "\n")
	return out.String()
}

func gitCreateBlob(f *Fake, c *call) reply {
	var in struct{ Content, Encoding string }
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	data := []byte(in.Content)
	if in.Encoding == "base64" {
		d, err := base64.StdEncoding.DecodeString(in.Content)
		if err != nil {
			return errReply(http.StatusUnprocessableEntity, "content is not valid Base64")
		}
		data = d
	}
	sha := c.repo.putBlob(data)
	return jsonReply(http.StatusCreated, map[string]any{"url": f.repoURL(c.repo, "/git/blobs/"+sha), "sha": sha})
}

func gitCreateTree(f *Fake, c *call) reply {
	var in struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path, Mode, Type string
			SHA              *string `json:"sha"`
			Content          *string `json:"content"`
		} `json:"tree"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	files := map[string]fileEntry{}
	if in.BaseTree != "" {
		if o := c.repo.objects[in.BaseTree]; o == nil || o.typ != "tree" {
			return errReply(http.StatusUnprocessableEntity, "base_tree is not a valid tree oid")
		}
		c.repo.flatten(in.BaseTree, "", files)
	}
	for _, e := range in.Tree {
		p := strings.Trim(e.Path, "/")
		switch {
		case e.Content != nil && e.SHA != nil:
			return errReply(http.StatusUnprocessableEntity, "Must supply either tree.sha or tree.content. Request will be rejected if both are present.")
		case e.Content != nil:
			files[p] = fileEntry{Mode: e.Mode, SHA: c.repo.putBlob([]byte(*e.Content))}
		case e.SHA == nil:
			delete(files, p)
			for k := range files {
				if strings.HasPrefix(k, p+"/") {
					delete(files, k)
				}
			}
		case e.Type == "tree" || e.Mode == "040000":
			if o := c.repo.objects[*e.SHA]; o == nil || o.typ != "tree" {
				return errReply(http.StatusUnprocessableEntity, "tree.sha "+*e.SHA+" is not a valid tree")
			}
			sub := map[string]fileEntry{}
			c.repo.flatten(*e.SHA, p+"/", sub)
			for k, v := range sub {
				files[k] = v
			}
		default:
			if e.Type == "blob" && c.repo.objects[*e.SHA] == nil {
				return errReply(http.StatusUnprocessableEntity, "tree.sha "+*e.SHA+" is not a valid blob")
			}
			files[p] = fileEntry{Mode: e.Mode, SHA: *e.SHA}
		}
	}
	for p, fe := range files {
		if fe.Mode == "" {
			fe.Mode = "100644"
			files[p] = fe
		}
	}
	sha := c.repo.buildTree(files)
	c.params["tree_sha"] = sha
	rp := gitGetTree(f, &call{r: c.r, params: map[string]string{"tree_sha": sha}, repo: c.repo})
	rp.status = http.StatusCreated
	return rp
}

func gitCreateCommit(f *Fake, c *call) reply {
	var in struct {
		Message   string   `json:"message"`
		Tree      string   `json:"tree"`
		Parents   []string `json:"parents"`
		Signature string   `json:"signature"`
		Author    *struct {
			Name, Email string
			Date        *time.Time
		} `json:"author"`
		Committer *struct {
			Name, Email string
			Date        *time.Time
		} `json:"committer"`
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if o := c.repo.objects[in.Tree]; o == nil || o.typ != "tree" {
		return errReply(http.StatusUnprocessableEntity, "Tree SHA does not exist")
	}
	for _, p := range in.Parents {
		if o := c.repo.objects[p]; o == nil || o.typ != "commit" {
			return errReply(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object")
		}
	}
	when := c.repo.tick()
	gc := &gitCommit{Tree: in.Tree, Parents: in.Parents, Message: in.Message,
		AuthorGiven: in.Author != nil, CommitterGiven: in.Committer != nil}
	gc.Author, gc.Committer = appBot, appBot
	gc.Author.When, gc.Committer.When = when, when
	if in.Author != nil {
		gc.Author = Signature{Name: in.Author.Name, Email: in.Author.Email, When: when}
		if in.Author.Date != nil {
			gc.Author.When = *in.Author.Date
		}
		if in.Committer == nil {
			gc.Committer = gc.Author
		}
	}
	if in.Committer != nil {
		gc.Committer = Signature{Name: in.Committer.Name, Email: in.Committer.Email, When: when}
		if in.Committer.Date != nil {
			gc.Committer.When = *in.Committer.Date
		}
	}
	gc.Verified = !gc.AuthorGiven && !gc.CommitterGiven && in.Signature == "" && c.token != nil
	sha := c.repo.putCommit(gc)
	return jsonReply(http.StatusCreated, f.gitCommitJSON(c.repo, sha))
}

func gitCreateRef(f *Fake, c *call) reply {
	var in struct{ Ref, SHA string }
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	if !strings.HasPrefix(in.Ref, "refs/") || strings.Count(in.Ref, "/") < 2 {
		return errReply(http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.")
	}
	if _, ok := c.repo.refs[in.Ref]; ok {
		return errReply(http.StatusUnprocessableEntity, "Reference already exists")
	}
	if c.repo.objects[in.SHA] == nil {
		return errReply(http.StatusUnprocessableEntity, "Object does not exist")
	}
	if rp, ok := f.checkWorkflows(c, in.SHA); !ok {
		return rp
	}
	c.repo.refs[in.Ref] = in.SHA
	c.repo.pushed()
	return jsonReply(http.StatusCreated, f.refJSON(c.repo, in.Ref))
}

func gitUpdateRef(f *Fake, c *call) reply {
	var in struct {
		SHA   string
		Force bool
	}
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	ref := "refs/" + c.params["ref"]
	old, ok := c.repo.refs[ref]
	if !ok {
		return errReply(http.StatusUnprocessableEntity, "Reference does not exist")
	}
	if c.repo.objects[in.SHA] == nil {
		return errReply(http.StatusUnprocessableEntity, "Object does not exist")
	}
	if !in.Force && !c.repo.ancestors(in.SHA)[old] {
		return errReply(http.StatusUnprocessableEntity, "Update is not a fast forward")
	}
	if rp, ok := f.checkWorkflows(c, in.SHA); !ok {
		return rp
	}
	c.repo.refs[ref] = in.SHA
	c.repo.pushed()
	return jsonReply(http.StatusOK, f.refJSON(c.repo, ref))
}

func gitDeleteRef(f *Fake, c *call) reply {
	ref := "refs/" + c.params["ref"]
	if _, ok := c.repo.refs[ref]; !ok {
		return errReply(http.StatusUnprocessableEntity, "Reference does not exist")
	}
	delete(c.repo.refs, ref)
	return reply{status: http.StatusNoContent}
}

// checkWorkflows refuses new commits that touch .github/workflows/ when the token lacks
// the workflows permission and enforcement is on.
func (f *Fake) checkWorkflows(c *call, sha string) (reply, bool) {
	if !f.enforceWorkflows || (c.token != nil && c.token.Permissions["workflows"] == "write") {
		return reply{}, true
	}
	known := map[string]bool{}
	for _, s := range c.repo.refs {
		for a := range c.repo.ancestors(c.repo.peel(s)) {
			known[a] = true
		}
	}
	for n := range c.repo.ancestors(sha) {
		if known[n] {
			continue
		}
		cm := c.repo.objects[n].commit
		before := map[string]fileEntry{}
		if len(cm.Parents) > 0 {
			c.repo.flatten(c.repo.objects[cm.Parents[0]].commit.Tree, "", before)
		}
		after := map[string]fileEntry{}
		c.repo.flatten(cm.Tree, "", after)
		for _, p := range changedPaths(before, after) {
			if strings.HasPrefix(p, ".github/workflows/") {
				return errReply(http.StatusUnprocessableEntity, fmt.Sprintf(
					"refusing to allow a GitHub App to create or update workflow `%s` without `workflows` permission", p)), false
			}
		}
	}
	return reply{}, true
}

func changedPaths(before, after map[string]fileEntry) []string {
	var out []string
	for p, e := range after {
		if before[p] != e {
			out = append(out, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
