package githubfake

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// GitHub's documented secondary limits per installation ("Rate limits for
// the REST API": content-creating requests and concurrency).
const (
	SecondaryPerMinute  = 80
	SecondaryPerHour    = 500
	SecondaryConcurrent = 100
	// secondaryPause is the Retry-After the fake sends with a secondary
	// limit, as GitHub typically does.
	secondaryPause = 60 * time.Second
)

// secondaryMessage is GitHub's answer to a secondary rate limit.
const secondaryMessage = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

// WithClock makes the fake read time from now: token expiry, rate-limit
// windows and pauses, timestamps it writes. Benchmarks pass a simulated
// clock so that nothing sleeps.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// EnforceSecondaryLimits makes the fake enforce GitHub's secondary limits per
// installation: at most 80 content-creating requests (POST, PATCH, PUT,
// DELETE, GraphQL mutations) in any 60 seconds, 500 in any hour, and 100
// requests in flight. A request over a limit is answered 403 with
// Retry-After like GitHub's and counted as a violation; every request that
// arrives while a Retry-After it gave is running is refused again and counted.
func EnforceSecondaryLimits() Option { return func(f *Fake) { f.limits.enforce = true } }

// Faults injects GitHub's bad days into answers, at random with a fixed seed.
type Faults struct {
	// ServerErrors is the share of requests answered 500 or 502. Half of
	// the writes so answered were carried out before the error, as when a
	// proxy times out after GitHub committed the change.
	ServerErrors float64
	// SecondaryLimits is the share of requests answered with a secondary
	// rate limit (403, Retry-After: 60) although no limit was reached.
	SecondaryLimits float64
	Seed            uint64
}

// InjectFaults sets the faults of later requests (zero Faults: none).
// Token requests are spared: GitHub's fault there is another story.
func (f *Fake) InjectFaults(faults Faults) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits.faults = faults
	f.limits.rnd = rand.New(rand.NewPCG(faults.Seed, faults.Seed^0x9e3779b97f4a7c15))
}

// LimitStats counts what the fake saw against GitHub's secondary limits,
// over every installation.
type LimitStats struct {
	Writes, Reads int // requests made with an installation token
	// Violations are requests that broke a limit: MinuteViolations +
	// HourViolations + ConcurrencyViolations.
	Violations                                              int
	MinuteViolations, HourViolations, ConcurrencyViolations int
	// WritesDuringPause and ReadsDuringPause arrived while a Retry-After
	// the fake had given the installation was still running (and later
	// than the moment it was given: requests of the same instant were
	// already on their way).
	WritesDuringPause, ReadsDuringPause  int
	InjectedServerErrors                 int
	InjectedSecondary                    int
	MaxConcurrent                        int
	MaxWritesPerMinute, MaxWritesPerHour int
}

// LimitStats returns the counts since the fake started (or ResetLimitStats).
func (f *Fake) LimitStats() LimitStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limits.stats
}

// ResetLimitStats zeroes the counts; windows and pauses are kept.
func (f *Fake) ResetLimitStats() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits.stats = LimitStats{}
}

// limiter is the fake's secondary-limit state (guarded by Fake.mu).
type limiter struct {
	enforce bool
	faults  Faults
	rnd     *rand.Rand
	inst    map[int64]*instLimits
	stats   LimitStats
}

type instLimits struct {
	writes     []time.Time // accepted content-creating requests, oldest first
	inFlight   int
	pause      time.Time // a Retry-After given runs until then
	pauseGiven time.Time // when it was given
}

func (l *limiter) of(id int64) *instLimits {
	if l.inst == nil {
		l.inst = map[int64]*instLimits{}
	}
	il := l.inst[id]
	if il == nil {
		il = &instLimits{}
		l.inst[id] = il
	}
	return il
}

// countSince counts the writes after since.
func (il *instLimits) countSince(since time.Time) int {
	n := 0
	for i := len(il.writes) - 1; i >= 0 && il.writes[i].After(since); i-- {
		n++
	}
	return n
}

func secondaryReply(wait time.Duration) reply {
	secs := int((wait + time.Second - 1) / time.Second)
	return reply{status: http.StatusForbidden, body: []byte(secondaryMessage), header: map[string]string{
		"Retry-After": strconv.Itoa(max(secs, 1)), "X-RateLimit-Remaining": "4999"}}
}

// admit decides, under f.mu, whether a request of installation inst may be
// served. It returns a reply and false when GitHub would refuse it. A true
// answer must be followed by release.
func (f *Fake) admit(inst int64, write bool) (reply, bool) {
	l := &f.limits
	if inst == 0 || !l.enforce && l.faults == (Faults{}) && l.inst[inst] == nil {
		return reply{}, true
	}
	now := f.now()
	il := l.of(inst)
	if write {
		l.stats.Writes++
	} else {
		l.stats.Reads++
	}
	if now.Before(il.pause) {
		// Requests sent at the very moment the pause was given were on
		// their way; those sent later ignored it.
		if now.After(il.pauseGiven) {
			if write {
				l.stats.WritesDuringPause++
			} else {
				l.stats.ReadsDuringPause++
			}
		}
		return secondaryReply(il.pause.Sub(now)), false
	}
	if l.enforce {
		if il.inFlight >= SecondaryConcurrent {
			l.stats.Violations++
			l.stats.ConcurrencyViolations++
			il.pause, il.pauseGiven = now.Add(secondaryPause), now
			return secondaryReply(secondaryPause), false
		}
		if write {
			// Forget what no window can see any more.
			cut := 0
			for cut < len(il.writes) && !il.writes[cut].After(now.Add(-time.Hour)) {
				cut++
			}
			il.writes = il.writes[cut:]
			minute, hour := il.countSince(now.Add(-time.Minute)), len(il.writes)
			switch {
			case minute >= SecondaryPerMinute:
				l.stats.Violations++
				l.stats.MinuteViolations++
			case hour >= SecondaryPerHour:
				l.stats.Violations++
				l.stats.HourViolations++
			default:
				minute, hour = minute+1, hour+1
				l.stats.MaxWritesPerMinute = max(l.stats.MaxWritesPerMinute, minute)
				l.stats.MaxWritesPerHour = max(l.stats.MaxWritesPerHour, hour)
				il.writes = append(il.writes, now)
				goto admitted
			}
			il.pause, il.pauseGiven = now.Add(secondaryPause), now
			return secondaryReply(secondaryPause), false
		}
	}
admitted:
	if l.faults.SecondaryLimits > 0 && l.rnd.Float64() < l.faults.SecondaryLimits {
		l.stats.InjectedSecondary++
		il.pause, il.pauseGiven = now.Add(secondaryPause), now
		return secondaryReply(secondaryPause), false
	}
	il.inFlight++
	l.stats.MaxConcurrent = max(l.stats.MaxConcurrent, il.inFlight)
	return reply{}, true
}

func (f *Fake) release(inst int64) {
	if il := f.limits.inst[inst]; il != nil && il.inFlight > 0 {
		il.inFlight--
	}
}

// serverFault decides, under f.mu, whether to answer a 5xx, and for a write
// whether the change is carried out first.
func (f *Fake) serverFault(write bool) (status int, applyFirst, ok bool) {
	l := &f.limits
	if l.faults.ServerErrors <= 0 || l.rnd.Float64() >= l.faults.ServerErrors {
		return 0, false, false
	}
	l.stats.InjectedServerErrors++
	status = http.StatusInternalServerError
	if l.rnd.IntN(2) == 0 {
		status = http.StatusBadGateway
	}
	return status, write && l.rnd.IntN(2) == 0, true
}

func faultReply(status int) reply {
	return reply{status: status, body: []byte(fmt.Sprintf(`{"message":%q}`, http.StatusText(status)))}
}
