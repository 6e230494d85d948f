package githubfake

import (
	"strings"
	"time"
)

// Repo is one repository of the fake. Its methods are safe for concurrent use.
type Repo struct {
	f           *Fake
	Owner, Name string
	ID          int64

	objects       map[string]*object
	refs          map[string]string // "refs/heads/main" -> SHA
	clock         time.Time
	defaultBranch string
	archived      bool
	private       bool
	ownerType     string
	workflowPerms string // "read" or "write"
	canApprove    bool
	pvr           bool
	protection    map[string]map[string]any // branch -> protection as last PUT
	rulesets      []map[string]any
	pulls         []*PullRequest
	issues        map[int]*Issue // plain issues (not pull requests)
	comments      []*Comment
	labels        map[string]map[string]any
	checkRuns     []*CheckRun
	suites        map[int64]string // suite ID -> head SHA
	advisories    []map[string]any
	nextNumber    int
	pushedAt      time.Time // the last push (ref written), for pushed_at
}

// RepoOption configures a repository created by AddRepo.
type RepoOption func(*Repo)

// DefaultBranch sets the default branch (default "main").
func DefaultBranch(name string) RepoOption { return func(r *Repo) { r.defaultBranch = name } }

// Archived marks the repository archived.
func Archived() RepoOption { return func(r *Repo) { r.archived = true } }

// Private marks the repository private.
func Private() RepoOption { return func(r *Repo) { r.private = true } }

// Empty creates the repository without any commit or branch.
func Empty() RepoOption { return func(r *Repo) { r.refs = nil } }

// UserOwned makes the owner a User account instead of an Organization.
func UserOwned() RepoOption { return func(r *Repo) { r.ownerType = "User" } }

// WorkflowPermissions sets the default GITHUB_TOKEN permissions: "read" or "write" (default).
func WorkflowPermissions(p string) RepoOption { return func(r *Repo) { r.workflowPerms = p } }

// PrivateVulnerabilityReporting sets whether private vulnerability reporting starts enabled.
func PrivateVulnerabilityReporting(on bool) RepoOption { return func(r *Repo) { r.pvr = on } }

// Helpers use a fixed author so that repositories built the same way have the same SHAs.
var testAuthor = Signature{Name: "Test Author", Email: "author@example.com"}

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// AddRepo creates owner/name with one commit holding files on the default branch
// (unless Empty is given) and returns it. An org's `.github` repository is added the same way.
func (f *Fake) AddRepo(owner, name string, files map[string]string, opts ...RepoOption) *Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := &Repo{
		f: f, Owner: owner, Name: name, ID: f.newID(),
		objects: map[string]*object{}, refs: map[string]string{}, clock: epoch,
		defaultBranch: "main", ownerType: "Organization", workflowPerms: "write",
		protection: map[string]map[string]any{}, issues: map[int]*Issue{},
		labels: map[string]map[string]any{}, suites: map[int64]string{},
	}
	for _, o := range opts {
		o(r)
	}
	empty := r.refs == nil
	r.refs = map[string]string{}
	if !empty {
		tree := r.treeFromContents(nil, files, nil)
		r.refs["refs/heads/"+r.defaultBranch] = r.helperCommit(tree, nil, "Initial commit")
	}
	r.pushed()
	f.repos[strings.ToLower(owner+"/"+name)] = r
	f.repoOrder = append(f.repoOrder, r)
	return r
}

// Repo returns a repository added before, or nil.
func (f *Fake) Repo(owner, name string) *Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repos[strings.ToLower(owner+"/"+name)]
}

func (r *Repo) fullName() string { return r.Owner + "/" + r.Name }

func (r *Repo) helperCommit(tree string, parents []string, msg string) string {
	sig := testAuthor
	sig.When = r.tick()
	return r.putCommit(&gitCommit{Tree: tree, Parents: parents, Author: sig, Committer: sig,
		Message: msg, AuthorGiven: true, CommitterGiven: true})
}

func (r *Repo) mustResolve(ref string) string {
	sha, ok := r.resolve(ref)
	if !ok {
		r.f.t.Fatalf("githubfake: %s: unknown ref %q", r.fullName(), ref)
	}
	return sha
}

// Commit adds a commit on branch (created from the default branch if missing) that writes
// files and removes deletes, and returns its SHA.
func (r *Repo) Commit(branch, message string, files map[string]string, deletes ...string) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	parent, ok := r.refs["refs/heads/"+branch]
	if !ok {
		parent, ok = r.refs["refs/heads/"+r.defaultBranch]
	}
	sha := r.commitOn(parent, ok, message, files, deletes)
	r.refs["refs/heads/"+branch] = sha
	r.pushed()
	return sha
}

// CommitDetached adds a commit whose parent is parentRef without moving any ref (like a
// commit that only exists in a fork) and returns its SHA.
func (r *Repo) CommitDetached(parentRef, message string, files map[string]string) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	return r.commitOn(r.mustResolve(parentRef), true, message, files, nil)
}

func (r *Repo) commitOn(parent string, hasParent bool, message string, files map[string]string, deletes []string) string {
	base := map[string]fileEntry{}
	var parents []string
	if hasParent {
		r.flatten(r.objects[parent].commit.Tree, "", base)
		parents = []string{parent}
	}
	return r.helperCommit(r.treeFromContents(base, files, deletes), parents, message)
}

// Branch creates or moves branch to the commit at ref.
func (r *Repo) Branch(name, ref string) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha := r.mustResolve(ref)
	r.refs["refs/heads/"+name] = sha
	r.pushed()
	return sha
}

// Tag creates (or moves) tag name at ref. An annotated tag gets a tag object; the SHA
// returned is what refs/tags/name points at (the tag object for annotated tags).
func (r *Repo) Tag(name, ref string, annotated bool) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha := r.mustResolve(ref)
	if annotated {
		tagger := testAuthor
		tagger.When = r.tick()
		sha = r.putTag(&gitTag{Object: sha, Type: "commit", Tag: name, Tagger: tagger, Message: "Release " + name + "\n"})
	}
	r.refs["refs/tags/"+name] = sha
	return sha
}

// Retag moves an existing tag to ref, keeping it annotated if it was.
func (r *Repo) Retag(name, ref string) string {
	r.f.mu.Lock()
	old, ok := r.refs["refs/tags/"+name]
	annotated := ok && r.objects[old].typ == "tag"
	r.f.mu.Unlock()
	return r.Tag(name, ref, annotated)
}

// SetDefaultBranch changes the default branch (the branch must exist for most endpoints).
func (r *Repo) SetDefaultBranch(name string) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.defaultBranch = name
}

// Ref returns the SHA a full ref ("refs/heads/main", "refs/tags/v1") points at.
func (r *Repo) Ref(ref string) (string, bool) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha, ok := r.refs[ref]
	return sha, ok
}

// BranchSHA returns the head commit of branch, or "".
func (r *Repo) BranchSHA(branch string) string {
	sha, _ := r.Ref("refs/heads/" + branch)
	return sha
}

// File returns the content of path at ref (branch, tag or SHA).
func (r *Repo) File(ref, path string) (string, bool) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha, ok := r.resolve(ref)
	if !ok {
		return "", false
	}
	files := map[string]fileEntry{}
	r.flatten(r.objects[sha].commit.Tree, "", files)
	fe, ok := files[strings.TrimPrefix(path, "/")]
	if !ok {
		return "", false
	}
	return string(r.objects[fe.SHA].data), true
}

// Files returns every file at ref as path -> content.
func (r *Repo) Files(ref string) map[string]string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	out := map[string]string{}
	sha, ok := r.resolve(ref)
	if !ok {
		return out
	}
	files := map[string]fileEntry{}
	r.flatten(r.objects[sha].commit.Tree, "", files)
	for p, fe := range files {
		out[p] = string(r.objects[fe.SHA].data)
	}
	return out
}

// CommitInfo describes one commit.
type CommitInfo struct {
	SHA       string
	Message   string
	Author    Signature
	Committer Signature
	Parents   []string
	Tree      string
	// AuthorGiven/CommitterGiven report whether the API request named them; Verified is
	// what GitHub would show (App-made commits without custom author or committer).
	AuthorGiven, CommitterGiven, Verified bool
}

func (r *Repo) commitInfo(sha string) CommitInfo {
	c := r.objects[sha].commit
	return CommitInfo{SHA: sha, Message: c.Message, Author: c.Author, Committer: c.Committer,
		Parents: append([]string(nil), c.Parents...), Tree: c.Tree,
		AuthorGiven: c.AuthorGiven, CommitterGiven: c.CommitterGiven, Verified: c.Verified}
}

// Commits lists the commits reachable from ref, newest first.
func (r *Repo) Commits(ref string) []CommitInfo {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	sha, ok := r.resolve(ref)
	if !ok {
		return nil
	}
	var out []CommitInfo
	for _, c := range r.history(sha) {
		out = append(out, r.commitInfo(c))
	}
	return out
}
