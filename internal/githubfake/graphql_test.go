package githubfake

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

type gqlAnswer struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
}

func (f *Fake) graphql(t *testing.T, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	gh := f.Client()
	req, err := gh.NewRequest("POST", "graphql", map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	var out gqlAnswer
	if _, err := gh.Do(context.Background(), req, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const branchAndCommit = `mutation($repo: ID!, $base: GitObjectID!, $nwo: String!, $files: [FileAddition!]) {
  ref: createRef(input: {repositoryId: $repo, name: "refs/heads/fix", oid: $base}) { ref { name } }
  c1: createCommitOnBranch(input: {branch: {repositoryNameWithOwner: $nwo, branchName: "fix"}, expectedHeadOid: $base,
      message: {headline: "Pin actions", body: "Why."}, fileChanges: {additions: $files}}) { commit { oid } }
}`

func TestGraphQLCreatesBranchAndSignedCommit(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("o", "r", map[string]string{"a.txt": "old\n", "keep.txt": "k\n"})
	base := repo.BranchSHA("main")
	vars := map[string]any{"repo": nodeID("Repository", "o/r"), "base": base, "nwo": "o/r",
		"files": []any{map[string]any{"path": "a.txt", "contents": base64.StdEncoding.EncodeToString([]byte("new\n"))}}}
	out := f.graphql(t, branchAndCommit, vars)
	if len(out.Errors) != 0 {
		t.Fatalf("errors %+v", out.Errors)
	}
	head := repo.BranchSHA("fix")
	if got := out.Data["c1"].(map[string]any)["commit"].(map[string]any)["oid"]; got != head {
		t.Fatalf("commit %v, branch at %s", got, head)
	}
	c := repo.Commits("fix")[0]
	if !c.Verified || c.AuthorGiven || c.Message != "Pin actions\n\nWhy." || c.Parents[0] != base {
		t.Fatalf("commit %+v", c)
	}
	if s, _ := repo.File("fix", "a.txt"); s != "new\n" {
		t.Errorf("a.txt = %q", s)
	}
	if s, _ := repo.File("fix", "keep.txt"); s != "k\n" {
		t.Errorf("keep.txt = %q", s)
	}
	if st := f.Count(graphqlOperation); st != 1 {
		t.Errorf("graphql requests %d", st)
	}

	// The same document again: the ref exists and the head moved, so both
	// mutations fail and nothing changes.
	out = f.graphql(t, branchAndCommit, vars)
	if len(out.Errors) != 2 || !strings.Contains(out.Errors[0].Message, "already exists") || !strings.Contains(out.Errors[1].Message, "Expected branch") {
		t.Fatalf("errors %+v", out.Errors)
	}
	if repo.BranchSHA("fix") != head {
		t.Error("branch moved")
	}

	q := f.graphql(t, `query($o: String!, $n: String!) { repository(owner: $o, name: $n) { id ref(qualifiedName: "refs/heads/fix") { target { oid ... on Commit { message } } } } }`,
		map[string]any{"o": "o", "n": "r"})
	target := q.Data["repository"].(map[string]any)["ref"].(map[string]any)["target"].(map[string]any)
	if target["oid"] != head || target["message"] != "Pin actions\n\nWhy." {
		t.Errorf("query %+v", q)
	}
}

func TestGraphQLMutationCountsAsOneWrite(t *testing.T) {
	t.Parallel()
	f := New(t, EnforceSecondaryLimits())
	repo := f.AddRepo("o", "r", map[string]string{"a.txt": "old\n"})
	f.graphql(t, `query { repository(owner: "o", name: "r") { id } }`, nil)
	f.graphql(t, branchAndCommit, map[string]any{"repo": nodeID("Repository", "o/r"), "base": repo.BranchSHA("main"), "nwo": "o/r"})
	if st := f.LimitStats(); st.Writes != 1 || st.Reads != 1 {
		t.Errorf("stats %+v, want the query a read and the mutation document one write", st)
	}
}

func TestGraphQLRefusesDocumentsOutsideTheSchema(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	f := New(rec)
	f.AddRepo("o", "r", nil)
	out := f.graphql(t, `query { repository(owner: "o", name: "r") { stargazerCount } }`, nil)
	if len(out.Errors) != 1 || len(rec.errors()) != 1 {
		t.Fatalf("answer %+v, reported %q", out, rec.errors())
	}
}
