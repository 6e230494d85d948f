package githubfake

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestBlobSHAMatchesGit(t *testing.T) {
	t.Parallel()
	// `printf 'hello\n' | git hash-object --stdin`
	if got := hashObject("blob", []byte("hello\n")); got != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Fatalf("blob sha = %s", got)
	}
	// The empty tree, well known from git.
	r := &Repo{objects: map[string]*object{}}
	if got := r.putTree(nil); got != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" {
		t.Fatalf("empty tree sha = %s", got)
	}
}

func TestGitDataRoundTrip(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("octo-org", "app", map[string]string{"README.md": "hi\n", ".github/workflows/ci.yml": "on: push\n"})
	ctx := context.Background()
	gh := f.Client()
	head := repo.BranchSHA("main")

	blob, _, err := gh.Git.CreateBlob(ctx, "octo-org", "app", &github.Blob{Content: github.String("new\n"), Encoding: github.String("utf-8")})
	if err != nil {
		t.Fatal(err)
	}
	base, _, err := gh.Git.GetCommit(ctx, "octo-org", "app", head)
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := gh.Git.CreateTree(ctx, "octo-org", "app", base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("docs/new.md"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("inline.txt"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("inline\n")},
		{Path: github.String("README.md"), Mode: github.String("100644"), Type: github.String("blob")}, // sha null: delete
	})
	if err != nil {
		t.Fatal(err)
	}
	commit, _, err := gh.Git.CreateCommit(ctx, "octo-org", "app", &github.Commit{
		Message: github.String("Harden CI"), Tree: tree, Parents: []*github.Commit{{SHA: github.String(head)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hex40.MatchString(commit.GetSHA()) || !commit.GetVerification().GetVerified() {
		t.Fatalf("commit %s verified=%v", commit.GetSHA(), commit.GetVerification().GetVerified())
	}
	if _, _, err := gh.Git.CreateRef(ctx, "octo-org", "app", &github.Reference{
		Ref: github.String("refs/heads/hardener/fix"), Object: &github.GitObject{SHA: commit.SHA}}); err != nil {
		t.Fatal(err)
	}
	ref, _, err := gh.Git.GetRef(ctx, "octo-org", "app", "heads/hardener/fix")
	if err != nil || ref.GetObject().GetSHA() != commit.GetSHA() {
		t.Fatalf("get ref: %v %v", ref, err)
	}
	got, _, err := gh.Git.GetTree(ctx, "octo-org", "app", commit.GetSHA(), true)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range got.Entries {
		paths = append(paths, e.GetPath())
	}
	if want := ".github .github/workflows .github/workflows/ci.yml docs docs/new.md inline.txt"; strings.Join(paths, " ") != want {
		t.Fatalf("tree = %v", paths)
	}
	if c, ok := repo.File("hardener/fix", "docs/new.md"); !ok || c != "new\n" {
		t.Fatalf("file = %q %v", c, ok)
	}
	content, _, _, err := gh.Repositories.GetContents(ctx, "octo-org", "app", "inline.txt", &github.RepositoryContentGetOptions{Ref: "hardener/fix"})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := content.GetContent(); s != "inline\n" {
		t.Fatalf("content = %q", s)
	}
	cs := repo.Commits("hardener/fix")
	if len(cs) != 2 || cs[0].Message != "Harden CI" || cs[0].AuthorGiven || !cs[0].Verified {
		t.Fatalf("commits = %+v", cs)
	}
	// Not a fast-forward without force.
	_, _, err = gh.Git.UpdateRef(ctx, "octo-org", "app", &github.Reference{Ref: github.String("refs/heads/hardener/fix"), Object: &github.GitObject{SHA: github.String(head)}}, false)
	if e, ok := err.(*github.ErrorResponse); !ok || e.Response.StatusCode != 422 {
		t.Fatalf("non-fast-forward: %v", err)
	}
	if _, _, err = gh.Git.UpdateRef(ctx, "octo-org", "app", &github.Reference{Ref: github.String("refs/heads/hardener/fix"), Object: &github.GitObject{SHA: github.String(head)}}, true); err != nil {
		t.Fatal(err)
	}
	if f.Count("git/create-commit") != 1 || f.Count("git/update-ref") != 2 {
		t.Fatalf("counts: %d %d", f.Count("git/create-commit"), f.Count("git/update-ref"))
	}
}

func TestCompareStatuses(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("o", "r", map[string]string{"a": "1"})
	root := repo.BranchSHA("main")
	repo.Commit("feature", "f1", map[string]string{"b": "2"})
	repo.Commit("main", "m1", map[string]string{"c": "3"})
	detached := repo.CommitDetached(root, "fork only", map[string]string{"x": "y"})
	ctx := context.Background()
	for name, tc := range map[string]struct {
		base, head, status string
		ahead, behind      int
	}{
		"identical": {"main", "main", "identical", 0, 0},
		"ahead":     {root, "main", "ahead", 1, 0},
		"behind":    {"main", root, "behind", 0, 1},
		"diverged":  {"main", "feature", "diverged", 1, 1},
		"detached":  {"main", detached, "diverged", 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmp, _, err := f.Client().Repositories.CompareCommits(ctx, "o", "r", tc.base, tc.head, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cmp.GetStatus() != tc.status || cmp.GetAheadBy() != tc.ahead || cmp.GetBehindBy() != tc.behind {
				t.Fatalf("got %s +%d -%d", cmp.GetStatus(), cmp.GetAheadBy(), cmp.GetBehindBy())
			}
		})
	}
}

func TestAnnotatedTags(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("actions", "checkout", map[string]string{"action.yml": "name: checkout\n"})
	commit := repo.BranchSHA("main")
	tagObj := repo.Tag("v4.2.2", "main", true)
	repo.Tag("v4", "main", false)
	if tagObj == commit {
		t.Fatal("annotated tag must point at a tag object")
	}
	ctx := context.Background()
	gh := f.Client()
	ref, _, err := gh.Git.GetRef(ctx, "actions", "checkout", "tags/v4.2.2")
	if err != nil || ref.GetObject().GetType() != "tag" || ref.GetObject().GetSHA() != tagObj {
		t.Fatalf("ref = %+v, %v", ref, err)
	}
	tag, _, err := gh.Git.GetTag(ctx, "actions", "checkout", tagObj)
	if err != nil || tag.GetObject().GetSHA() != commit || tag.GetTag() != "v4.2.2" {
		t.Fatalf("tag = %+v, %v", tag, err)
	}
	sha, _, err := gh.Repositories.GetCommitSHA1(ctx, "actions", "checkout", "v4.2.2", "")
	if err != nil || sha != commit {
		t.Fatalf("commit sha = %s, %v", sha, err)
	}
	refs, _, err := gh.Git.ListMatchingRefs(ctx, "actions", "checkout", &github.ReferenceListOptions{Ref: "tags/v4"})
	if err != nil || len(refs) != 2 {
		t.Fatalf("matching refs = %d, %v", len(refs), err)
	}
	moved := repo.Commit("main", "evil", map[string]string{"x": "y"})
	repo.Retag("v4.2.2", moved)
	tags, _, err := gh.Repositories.ListTags(ctx, "actions", "checkout", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags {
		if tg.GetName() == "v4.2.2" && tg.GetCommit().GetSHA() != moved {
			t.Fatalf("retag not applied: %s", tg.GetCommit().GetSHA())
		}
	}
}

func TestTarballHonoursExportAttributes(t *testing.T) {
	t.Parallel()
	f := New(t)
	repo := f.AddRepo("o", "r", map[string]string{
		".gitattributes":           "/.github export-ignore\nVERSION export-subst\n*.bin export-ignore\n",
		".github/workflows/ci.yml": "on: push\n",
		"VERSION":                  "$Format:%H$\n",
		"src/main.go":              "package main\n",
		"src/data.bin":             "x",
	})
	sha := repo.BranchSHA("main")
	u, _, err := f.Client().Repositories.GetArchiveLink(context.Background(), "o", "r", github.Tarball, &github.RepositoryContentGetOptions{Ref: "main"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	got := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b)
	}
	top := "o-r-" + sha[:7] + "/"
	if _, ok := got[top+".github/workflows/ci.yml"]; ok {
		t.Fatal("export-ignore not honoured")
	}
	if _, ok := got[top+"src/data.bin"]; ok {
		t.Fatal("*.bin export-ignore not honoured")
	}
	if got[top+"VERSION"] != sha+"\n" || got[top+"src/main.go"] != "package main\n" {
		t.Fatalf("archive = %v", got)
	}
}
