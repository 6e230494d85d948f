package githubfake

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Signature is a git author, committer or tagger.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

func (s Signature) line() string {
	return fmt.Sprintf("%s <%s> %d +0000", s.Name, s.Email, s.When.Unix())
}

type treeEntry struct {
	Mode string // "100644", "100755", "40000", "160000", "120000"
	Name string
	SHA  string
}

func (e treeEntry) typ() string {
	switch e.Mode {
	case "40000":
		return "tree"
	case "160000":
		return "commit"
	}
	return "blob"
}

type gitCommit struct {
	Tree      string
	Parents   []string
	Author    Signature
	Committer Signature
	Message   string
	// What the API caller sent: a commit is verified only without custom author/committer.
	AuthorGiven, CommitterGiven, Verified bool
}

type gitTag struct {
	Object, Type, Tag string
	Tagger            Signature
	Message           string
}

// object is one git object: raw content (without the header) plus its parsed form.
type object struct {
	typ    string // blob, tree, commit, tag
	data   []byte
	tree   []treeEntry
	commit *gitCommit
	tag    *gitTag
}

func hashObject(typ string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Repo) putBlob(data []byte) string {
	sha := hashObject("blob", data)
	r.objects[sha] = &object{typ: "blob", data: append([]byte(nil), data...)}
	return sha
}

// gitSortKey sorts tree entries like git: directories compare as if they ended in "/".
func gitSortKey(e treeEntry) string {
	if e.Mode == "40000" {
		return e.Name + "/"
	}
	return e.Name
}

func (r *Repo) putTree(entries []treeEntry) string {
	sort.Slice(entries, func(i, j int) bool { return gitSortKey(entries[i]) < gitSortKey(entries[j]) })
	var b bytes.Buffer
	for _, e := range entries {
		raw, _ := hex.DecodeString(e.SHA)
		fmt.Fprintf(&b, "%s %s\x00", e.Mode, e.Name)
		b.Write(raw)
	}
	sha := hashObject("tree", b.Bytes())
	r.objects[sha] = &object{typ: "tree", data: b.Bytes(), tree: entries}
	return sha
}

func (r *Repo) putCommit(c *gitCommit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", c.Tree)
	for _, p := range c.Parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s", c.Author.line(), c.Committer.line(), c.Message)
	sha := hashObject("commit", []byte(b.String()))
	r.objects[sha] = &object{typ: "commit", data: []byte(b.String()), commit: c}
	return sha
}

func (r *Repo) putTag(t *gitTag) string {
	s := fmt.Sprintf("object %s\ntype %s\ntag %s\ntagger %s\n\n%s", t.Object, t.Type, t.Tag, t.Tagger.line(), t.Message)
	sha := hashObject("tag", []byte(s))
	r.objects[sha] = &object{typ: "tag", data: []byte(s), tag: t}
	return sha
}

// fileEntry is a non-directory entry of a flattened tree.
type fileEntry struct {
	Mode, SHA string
}

// flatten lists every non-tree entry under tree sha, keyed by full path.
func (r *Repo) flatten(sha, prefix string, out map[string]fileEntry) {
	o := r.objects[sha]
	if o == nil || o.typ != "tree" {
		return
	}
	for _, e := range o.tree {
		if e.Mode == "40000" {
			r.flatten(e.SHA, prefix+e.Name+"/", out)
			continue
		}
		out[prefix+e.Name] = fileEntry{Mode: e.Mode, SHA: e.SHA}
	}
}

// buildTree writes the trees for a flat path map and returns the root tree SHA.
func (r *Repo) buildTree(files map[string]fileEntry) string {
	dirs := map[string]map[string]fileEntry{}
	var entries []treeEntry
	for p, fe := range files {
		dir, rest, nested := strings.Cut(p, "/")
		if !nested {
			entries = append(entries, treeEntry{Mode: fe.Mode, Name: p, SHA: fe.SHA})
			continue
		}
		if dirs[dir] == nil {
			dirs[dir] = map[string]fileEntry{}
		}
		dirs[dir][rest] = fe
	}
	for d, sub := range dirs {
		entries = append(entries, treeEntry{Mode: "40000", Name: d, SHA: r.buildTree(sub)})
	}
	return r.putTree(entries)
}

// treeFromContents stores blobs for files and returns the root tree SHA.
func (r *Repo) treeFromContents(base map[string]fileEntry, files map[string]string, deletes []string) string {
	all := map[string]fileEntry{}
	for k, v := range base {
		all[k] = v
	}
	for p, c := range files {
		all[strings.TrimPrefix(p, "/")] = fileEntry{Mode: "100644", SHA: r.putBlob([]byte(c))}
	}
	for _, p := range deletes {
		delete(all, strings.TrimPrefix(p, "/"))
	}
	return r.buildTree(all)
}

// tick advances the repository clock so helper-made commits get stable, distinct SHAs.
func (r *Repo) tick() time.Time {
	r.clock = r.clock.Add(time.Minute)
	return r.clock
}

// peel follows tag objects to the object they finally point at.
func (r *Repo) peel(sha string) string {
	for i := 0; i < 10; i++ {
		o := r.objects[sha]
		if o == nil || o.typ != "tag" {
			return sha
		}
		sha = o.tag.Object
	}
	return sha
}

// resolve turns a branch, tag, full ref, or (abbreviated) SHA into a commit SHA.
func (r *Repo) resolve(ref string) (string, bool) {
	ref = strings.TrimPrefix(ref, "refs/")
	for _, cand := range []string{"heads/" + ref, "tags/" + ref, ref} {
		if sha, ok := r.refs["refs/"+cand]; ok {
			return r.peel(sha), true
		}
	}
	if o := r.objects[ref]; o != nil {
		return r.peel(ref), true
	}
	if len(ref) >= 7 && len(ref) < 40 && isHex(ref) {
		for sha := range r.objects {
			if strings.HasPrefix(sha, ref) {
				return r.peel(sha), true
			}
		}
	}
	return "", false
}

func isHex(s string) bool {
	_, err := hex.DecodeString(strings.Repeat("0", len(s)%2) + s)
	return err == nil
}

// ancestors returns every commit reachable from sha (inclusive).
func (r *Repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] {
			continue
		}
		o := r.objects[c]
		if o == nil || o.commit == nil {
			continue
		}
		seen[c] = true
		stack = append(stack, o.commit.Parents...)
	}
	return seen
}

// history lists commits reachable from sha, newest first (by commit time, then SHA).
func (r *Repo) history(sha string) []string {
	var out []string
	for c := range r.ancestors(sha) {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := r.objects[out[i]].commit.Committer.When, r.objects[out[j]].commit.Committer.When
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i] < out[j]
	})
	return out
}

// compare computes GitHub's compare status of head relative to base.
func (r *Repo) compare(base, head string) (status string, ahead, behind []string) {
	ab, ah := r.ancestors(base), r.ancestors(head)
	for _, c := range r.history(head) {
		if !ab[c] {
			ahead = append(ahead, c)
		}
	}
	for _, c := range r.history(base) {
		if !ah[c] {
			behind = append(behind, c)
		}
	}
	switch {
	case len(ahead) == 0 && len(behind) == 0:
		status = "identical"
	case len(behind) == 0:
		status = "ahead"
	case len(ahead) == 0:
		status = "behind"
	default:
		status = "diverged"
	}
	return status, ahead, behind
}
