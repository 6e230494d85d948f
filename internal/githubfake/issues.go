package githubfake

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Issue is a plain issue (not a pull request) as the fake stores it.
type Issue struct {
	Number int
	Title  string
	Body   string
	State  string // "open" or "closed"
	Author string // login: the App's bot for issues it opened
	Bot    bool   // the author is a bot
	Edits  int    // updates through the API
}

// AddIssue opens a plain issue as author (a person), as someone with
// access to the repository could, and returns its number.
func (r *Repo) AddIssue(author, title, body string) int {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	r.nextNumber++
	r.issues[r.nextNumber] = &Issue{Number: r.nextNumber, Title: title, Body: body, State: "open", Author: author}
	return r.nextNumber
}

// Issues returns the repository's plain issues in number order.
func (r *Repo) Issues() []Issue {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	var out []Issue
	for _, is := range r.issues {
		out = append(out, *is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// EditIssue changes an issue's body as a person with access would.
func (r *Repo) EditIssue(number int, body string) {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	if is := r.issues[number]; is != nil {
		is.Body = body
	}
}

// MergePull merges an open pull request into its base branch, as a
// maintainer pressing the button would (a merge commit on the base), and
// returns the merge commit's SHA.
func (r *Repo) MergePull(number int) string {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	p := r.pull(strconv.Itoa(number))
	if p == nil || p.State != "open" {
		r.f.t.Fatalf("githubfake: %s: no open pull request #%d to merge", r.fullName(), number)
	}
	base, head := r.refs["refs/heads/"+p.Base], r.refs["refs/heads/"+p.Head]
	sha := r.helperCommit(r.objects[head].commit.Tree, []string{base, head}, fmt.Sprintf("Merge pull request #%d", number))
	r.refs["refs/heads/"+p.Base] = sha
	r.pushed()
	p.State, p.Merged = "closed", true
	return sha
}

// pushed records a push (a ref written) for pushed_at. Each push gets its
// own second, later than the previous one, so that "pushed since" is exact
// in tests that run within a second.
func (r *Repo) pushed() {
	t := r.f.now().UTC().Truncate(time.Second)
	if !t.After(r.f.lastPush) {
		t = r.f.lastPush.Add(time.Second)
	}
	r.f.lastPush, r.pushedAt = t, t
}

func (f *Fake) plainIssueJSON(r *Repo, is *Issue) map[string]any {
	m := f.example("issues/get", "")
	delete(m, "pull_request")
	typ := "User"
	if is.Bot {
		typ = "Bot"
	}
	num := strconv.Itoa(is.Number)
	for k, v := range map[string]any{"number": is.Number, "title": is.Title, "state": is.State, "body": is.Body,
		"labels": []any{}, "url": f.repoURL(r, "/issues/"+num), "html_url": f.URL() + "/" + r.fullName() + "/issues/" + num,
		"user": map[string]any{"login": is.Author, "type": typ}} {
		m[k] = v
	}
	return m
}

func issuesListForRepo(f *Fake, c *call) reply {
	state, creator := c.query("state"), c.query("creator")
	if state == "" {
		state = "open"
	}
	type item struct {
		n int
		m map[string]any
	}
	var items []item
	for _, is := range c.repo.issues {
		if (state == "all" || is.State == state) && (creator == "" || strings.EqualFold(creator, is.Author)) {
			items = append(items, item{is.Number, f.plainIssueJSON(c.repo, is)})
		}
	}
	// GitHub lists pull requests as issues too.
	for _, p := range c.repo.pulls {
		if (state == "all" || p.State == state) && (creator == "" || strings.EqualFold(creator, appBot.Name)) {
			m, _ := f.issueJSON(c.repo, p.Number)
			m["user"] = map[string]any{"login": appBot.Name, "type": "Bot"}
			items = append(items, item{p.Number, m})
		}
	}
	asc := c.query("direction") == "asc"
	sort.Slice(items, func(i, j int) bool { return (items[i].n < items[j].n) == asc })
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.m
	}
	return f.paginate(c, out)
}

func mergedAt(p *PullRequest) any {
	if p.Merged {
		return epoch.Format(time.RFC3339)
	}
	return nil
}
