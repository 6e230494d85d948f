package app

import (
	"context"
	"hash/fnv"
	"maps"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// RescanMarks keeps, per installation, a mark for each repository the
// rescan confirmed up to date: a fingerprint of its `pushed_at` and
// default branch (RepoMark) at the time the rescan saw a completed
// `hardener` check run on its default-branch head.
//
// A mark is a cache, never the truth: the truth stays in GitHub. A
// repository whose listing still shows the marked fingerprint was not
// pushed to since (and its default branch not switched), so its head is
// the one that was confirmed and the rescan asks GitHub nothing more
// about it. Any other repository — new, pushed, unmarked because the
// store lost its marks — is asked about (one GraphQL query per hundred)
// and rescanned if its head has no completed check run. A mark written
// once stays true while the fingerprint holds, so a store that loses,
// mixes or keeps old marks costs requests, never a missed repository.
//
// `hardener serve` keeps them in memory (NewMemoryMarks); the Lambda
// rescan in the DynamoDB budget table.
type RescanMarks interface {
	// LoadMarks returns the installation's marks by repository ID (none
	// yet: an empty map and no error).
	LoadMarks(ctx context.Context, installationID int64) (map[int64]uint64, error)
	// SaveMarks replaces the installation's marks.
	SaveMarks(ctx context.Context, installationID int64, marks map[int64]uint64) error
}

// RepoMark is a repository's fingerprint as a listing shows it: its
// `pushed_at` (which every push to any branch moves) and its default
// branch. Never 0.
func RepoMark(repo *github.Repository) uint64 {
	h := fnv.New64a()
	if t := repo.GetPushedAt(); !t.IsZero() {
		h.Write([]byte(t.UTC().Format(time.RFC3339)))
	}
	h.Write([]byte{0})
	h.Write([]byte(repo.GetDefaultBranch()))
	if m := h.Sum64(); m != 0 {
		return m
	}
	return 1
}

// MemoryMarks is RescanMarks in memory, for one process.
type MemoryMarks struct {
	mu    sync.Mutex
	marks map[int64]map[int64]uint64
}

// NewMemoryMarks returns an empty MemoryMarks.
func NewMemoryMarks() *MemoryMarks {
	return &MemoryMarks{marks: map[int64]map[int64]uint64{}}
}

// LoadMarks implements RescanMarks.
func (m *MemoryMarks) LoadMarks(_ context.Context, installationID int64) (map[int64]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.marks[installationID]), nil
}

// SaveMarks implements RescanMarks.
func (m *MemoryMarks) SaveMarks(_ context.Context, installationID int64, marks map[int64]uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marks[installationID] = maps.Clone(marks)
	return nil
}

// rescanPass is one installation's pass of a rescan: the marks it found,
// the ones it keeps or confirms, and the repositories that need a look at
// GitHub, asked about a hundred at a time whatever page they came from.
type rescanPass struct {
	id       int64
	old      map[int64]uint64
	next     map[int64]uint64
	pending  []*github.Repository
	queued   int
	unmarked int // repositories the marks did not vouch for
}

// sort keeps the repositories whose mark still holds and sets the others
// aside for a look.
func (p *rescanPass) sort(repos []*github.Repository, all bool) {
	for _, repo := range repos {
		mark := RepoMark(repo)
		if !all && p.old[repo.GetID()] == mark {
			p.next[repo.GetID()] = mark
			continue
		}
		p.unmarked++
		p.pending = append(p.pending, repo)
	}
}
