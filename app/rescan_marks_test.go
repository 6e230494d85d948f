package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/internal/githubfake"
	"github.com/hardener/hardener/internal/simclock"
)

// marksFleet is an organisation behind the GitHub fake whose repositories
// all have a completed `hardener` check run on their default-branch head,
// and a rescanner with marks, run night after night.
type marksFleet struct {
	t     *testing.T
	f     *githubfake.Fake
	repos []*githubfake.Repo
	r     *Rescanner
	marks *MemoryMarks
}

func newMarksFleet(t *testing.T, n int) *marksFleet {
	t.Helper()
	f := githubfake.New(t)
	m := &marksFleet{t: t, f: f, marks: NewMemoryMarks()}
	for i := range n {
		m.repos = append(m.repos, m.add(fmt.Sprintf("repo-%03d", i)))
	}
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.r = &Rescanner{Clients: clients, Queue: &timedQueue{clock: simclock.New(time.Now())}, PerPage: 50, Marks: m.marks}
	return m
}

// add creates a repository whose head is scanned.
func (m *marksFleet) add(name string) *githubfake.Repo {
	r := m.f.AddRepo("octo-org", name, map[string]string{"README.md": name + "\n"})
	m.scanned(r)
	return r
}

// scanned posts a completed check run on the head of main, as a job would.
func (m *marksFleet) scanned(r *githubfake.Repo) {
	m.t.Helper()
	if _, _, err := m.f.Client().Checks.CreateCheckRun(context.Background(), r.Owner, r.Name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: r.BranchSHA("main"), Status: github.String("completed"), Conclusion: github.String("success")}); err != nil {
		m.t.Fatal(err)
	}
}

// night runs one rescan and returns the repositories it queued and the
// requests it sent by operation. It never writes.
func (m *marksFleet) night() ([]string, map[string]int) {
	m.t.Helper()
	q := m.r.Queue.(*timedQueue)
	q.jobs = nil
	m.f.ResetCounts()
	n, err := m.r.EnqueueRescans(context.Background())
	if err != nil {
		m.t.Fatal(err)
	}
	var queued []string
	for _, j := range q.jobs {
		queued = append(queued, j.Repo)
	}
	if n != len(queued) {
		m.t.Errorf("EnqueueRescans says %d, queued %d", n, len(queued))
	}
	ops := map[string]int{}
	for _, rq := range m.f.Requests() {
		if rq.Write && rq.OperationID != "apps/create-installation-access-token" {
			m.t.Errorf("rescan wrote: %s %s", rq.Method, rq.Path)
		}
		ops[rq.OperationID]++
	}
	slices.Sort(queued)
	return queued, ops
}

// TestRescanMarksSpareUnchangedRepositories: after a first rescan that
// asks GitHub about every repository (a cold start: one GraphQL query per
// hundred), an unchanged organisation costs only its listing — one
// request per page — and each change costs the changed repository's share
// of one query: a push to the default branch without a check run is
// rescanned, a push elsewhere is not, a new repository and a switched
// default branch are rescanned.
func TestRescanMarksSpareUnchangedRepositories(t *testing.T) {
	t.Parallel()
	m := newMarksFleet(t, 120) // three pages of 50

	queued, ops := m.night()
	if len(queued) != 0 {
		t.Errorf("cold start queued %v; every head is scanned", queued)
	}
	if ops["apps/list-repos-accessible-to-installation"] != 3 || ops["graphql"] != 2 {
		t.Errorf("cold start: %v, want 3 pages and 2 queries", ops)
	}

	queued, ops = m.night()
	if len(queued) != 0 || ops["graphql"] != 0 || ops["apps/list-repos-accessible-to-installation"] != 3 || total(ops) > 5 {
		t.Errorf("unchanged: queued %v, requests %v; want the listing only", queued, ops)
	}

	// A push to the default branch whose delivery was lost: no check run.
	m.repos[7].Commit("main", "lost delivery", map[string]string{"README.md": "moved\n"})
	// A push to another branch: pushed_at moves, the head does not.
	m.repos[60].Branch("feature", "main")
	queued, ops = m.night()
	if !slices.Equal(queued, []string{"repo-007"}) || ops["graphql"] != 1 {
		t.Errorf("after two pushes: queued %v, requests %v; want repo-007 and one query", queued, ops)
	}
	// Until its head has a check run, the pushed repository is asked about
	// and queued every night; the other is marked again.
	queued, ops = m.night()
	if !slices.Equal(queued, []string{"repo-007"}) || ops["graphql"] != 1 {
		t.Errorf("next night: queued %v, requests %v", queued, ops)
	}
	m.scanned(m.repos[7])
	if queued, ops = m.night(); len(queued) != 0 || ops["graphql"] != 1 {
		t.Errorf("once scanned: queued %v, requests %v; want one query, nothing queued", queued, ops)
	}
	if queued, ops = m.night(); len(queued) != 0 || ops["graphql"] != 0 {
		t.Errorf("unchanged again: queued %v, requests %v", queued, ops)
	}

	// A new repository, not yet scanned; a default branch switched to a
	// branch whose head has no check run (no push moves pushed_at).
	m.f.AddRepo("octo-org", "newcomer", map[string]string{"README.md": "new\n"})
	m.repos[100].Commit("develop", "elsewhere", map[string]string{"README.md": "dev\n"})
	m.scanned(m.repos[100]) // its main head: pushed_at is marked below
	if queued, _ = m.night(); len(queued) != 1 || queued[0] != "newcomer" {
		t.Errorf("new repository: queued %v", queued)
	}
	m.repos[100].SetDefaultBranch("develop")
	if queued, ops = m.night(); !slices.Contains(queued, "repo-100") || ops["graphql"] != 1 {
		t.Errorf("default branch switched: queued %v, requests %v", queued, ops)
	}

	// A full pass rescans every repository and leaves the marks alone.
	m.r.All = true
	if queued, ops = m.night(); len(queued) != 121 || ops["graphql"] != 0 {
		t.Errorf("full pass queued %d, requests %v", len(queued), ops)
	}
	m.r.All = false
	if got, _ := m.marks.LoadMarks(context.Background(), 1); len(got) != 119 {
		t.Errorf("%d marks after the full pass, want 119 (all but the newcomer and repo-100)", len(got))
	}
}

// failingMarks is a store that cannot be read or written.
type failingMarks struct{ saves int }

func (f *failingMarks) LoadMarks(context.Context, int64) (map[int64]uint64, error) {
	return nil, errors.New("store unreachable")
}

func (f *failingMarks) SaveMarks(context.Context, int64, map[int64]uint64) error {
	f.saves++
	return errors.New("store unreachable")
}

// TestRescanWithoutMarksStillFindsEveryChange: a store that fails makes
// every night a cold start — one query per hundred repositories — and
// misses nothing.
func TestRescanWithoutMarksStillFindsEveryChange(t *testing.T) {
	t.Parallel()
	m := newMarksFleet(t, 60)
	broken := &failingMarks{}
	m.r.Marks = broken
	m.repos[3].Commit("main", "lost delivery", map[string]string{"README.md": "moved\n"})
	queued, ops := m.night()
	if !slices.Equal(queued, []string{"repo-003"}) || ops["graphql"] != 1 || ops["apps/list-repos-accessible-to-installation"] != 2 {
		t.Errorf("queued %v, requests %v", queued, ops)
	}
	if broken.saves != 1 {
		t.Errorf("%d saves, want one attempt", broken.saves)
	}
}

func total(ops map[string]int) int {
	n := 0
	for _, c := range ops {
		n += c
	}
	return n
}
