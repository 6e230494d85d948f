package app

import (
	"slices"
	"sort"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
)

// gate is one installation's line of jobs of one class (check runs, or
// pull-request work) that must wait: for the write budget, or for a pause
// GitHub asked for.
//
// They wait here in priority order rather than each on a timer of its
// own: from the time the budget or GitHub named, the gate releases the
// best of them one at a time, gateGap apart. A released job that finds
// the budget spent again (another took the room) parks without a request
// — a pull-request job asks the budget before reading anything — keeps
// its place in the line, and holds the gate until the time it was told,
// which wins over the gap. So the budget, not a guess of what each job
// writes, sets the pace, it always goes to the most urgent job, and after
// a pause the jobs come back one by one instead of all at its end, where
// the next pause would cut them all short.
type gate struct {
	waiting []queued  // best first
	next    time.Time // no release before
	gen     int       // of the armed timer; a timer of an older one does nothing
	armed   time.Time // when the armed timer fires; zero: none
	stop    func() bool
}

// gateGap is the least time between two releases of a gate, per class:
// about what one job of the class spends of an hour's budget (480
// writes): one write for a check run; five for a pull request, the fewest
// most take (a job released too early costs no request).
var gateGap = [2]time.Duration{time.Hour / ghclient.DefaultWritesPerHour, 5 * time.Hour / ghclient.DefaultWritesPerHour}

func (q *Queue) gateLocked(id int64, class int) *gate {
	g := q.gates[id]
	if g == nil {
		g = &[2]gate{}
		q.gates[id] = g
	}
	return &g[class]
}

// waitLocked puts a job that must wait until until (the budget has room
// again, or GitHub's pause ends) in its line.
func (q *Queue) waitLocked(it queued, until time.Time) {
	id, class := it.job.InstallationID, it.class()
	g := q.gateLocked(id, class)
	i := sort.Search(len(g.waiting), func(i int) bool { return it.before(g.waiting[i]) })
	g.waiting = slices.Insert(g.waiting, i, it)
	if class == 0 {
		q.parkedFirst[id]++
	}
	// The time the job was told wins over the gap: a job released too
	// early did not spend its share, and nothing has room before until.
	g.next = until
	q.armLocked(id, class)
}

// armLocked sets the gate's timer for its next release.
func (q *Queue) armLocked(id int64, class int) {
	g := q.gateLocked(id, class)
	if len(g.waiting) == 0 || g.armed.Equal(g.next) {
		return
	}
	if g.stop != nil {
		g.stop()
	}
	g.gen++
	gen := g.gen
	g.armed = g.next
	g.stop = q.clock.AfterFunc(max(g.next.Sub(q.clock.Now()), 0), func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		g := q.gateLocked(id, class)
		if q.closed || g.gen != gen {
			return
		}
		g.armed, g.stop = time.Time{}, nil
		q.releaseLocked(id, class)
	})
}

// releaseLocked queues the best waiting job again and arms the timer for
// the next.
func (q *Queue) releaseLocked(id int64, class int) {
	g := q.gateLocked(id, class)
	if len(g.waiting) == 0 {
		return
	}
	it := g.waiting[0]
	g.waiting = g.waiting[1:]
	if class == 0 {
		q.parkedFirst[id]--
	}
	g.next = q.clock.Now().Add(gateGap[class])
	q.pushLocked(it)
	q.armLocked(id, class)
}

// gatedLocked counts the jobs waiting in gates.
func (q *Queue) gatedLocked() int {
	n := 0
	for _, g := range q.gates {
		n += len(g[0].waiting) + len(g[1].waiting)
	}
	return n
}

// closeGatesLocked stops the gates and returns their waiting jobs.
func (q *Queue) closeGatesLocked() []intake.Job {
	var left []intake.Job
	for _, g := range q.gates {
		for c := range g {
			if g[c].stop != nil {
				g[c].stop()
			}
			for _, it := range g[c].waiting {
				left = append(left, it.job)
			}
		}
	}
	q.gates = map[int64]*[2]gate{}
	return left
}
