package app

import (
	"fmt"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// BenchmarkFleet installs the App on 300 and 5,000 repositories behind the
// GitHub fake with its secondary limits enforced and simulated time, with
// one worker and with five worker instances sharing only the budget store,
// without and with faults (10% 5xx, 5% secondary limits). Run it once per
// configuration:
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./app
//
// The metrics are per run: violations and writes during a pause (must be
// 0), hours until every repository had its check run, pull requests per
// hour (from the first to the last write of a pull-request job) against
// the ceiling of GitHub's 500 writes an hour and of Hardener's budget of
// 480, writes and reads per
// repository, requests of the first nightly rescan (no marks yet) and of
// an unchanged one, jobs given up and
// duplicates (must be 0), peak heap.
func BenchmarkFleet(b *testing.B) {
	for _, repos := range []int{300, 5000} {
		for _, workers := range []int{1, 5} {
			for _, flaky := range []bool{false, true} {
				cfg := fleetConfig{repos: repos, workers: workers}
				if flaky {
					cfg.faults = githubfake.Faults{ServerErrors: 0.10, SecondaryLimits: 0.05, Seed: 7}
				}
				b.Run(fmt.Sprintf("repos=%d/workers=%d/faults=%v", repos, workers, flaky), func(b *testing.B) {
					for range b.N {
						res := runFleet(b, cfg)
						b.Log(res.report(cfg))
						writesPerPR := float64(res.prWrites) / float64(max(res.prs, 1))
						b.ReportMetric(float64(res.limits.Violations), "violations")
						b.ReportMetric(float64(res.limits.WritesDuringPause), "writes-in-pause")
						b.ReportMetric(res.postureDone.Hours(), "posture-h")
						b.ReportMetric(res.allDone.Hours(), "all-h")
						b.ReportMetric(perHour(res.prs, res.prPhase), "PRs/h")
						b.ReportMetric(500/writesPerPR, "ceiling-PRs/h")
						b.ReportMetric(480/writesPerPR, "budget-PRs/h")
						b.ReportMetric(float64(res.writes)/float64(repos), "writes/repo")
						b.ReportMetric(float64(res.reads)/float64(repos), "reads/repo")
						b.ReportMetric(float64(res.coldRescan.requests), "first-rescan-requests")
						b.ReportMetric(float64(res.rescanRequests), "rescan-requests")
						b.ReportMetric(float64(res.rescanWrites), "rescan-writes")
						b.ReportMetric(float64(res.givenUp+res.failed), "given-up")
						b.ReportMetric(float64(len(res.duplicates)), "duplicates")
						b.ReportMetric(float64(len(res.missing)), "missing")
						b.ReportMetric(res.peakHeapMB, "peak-heap-MB")
					}
				})
			}
		}
	}
}
