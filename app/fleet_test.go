package app

import (
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// TestFleetRespectsGitHubsLimits installs the App on a small organisation
// behind a GitHub that enforces its secondary limits, with simulated time:
// no request breaks a limit, no write goes out during a pause, every
// repository gets one check run and one pull request.
func TestFleetRespectsGitHubsLimits(t *testing.T) {
	for name, cfg := range map[string]fleetConfig{
		"one worker":   {repos: 50, workers: 1},
		"five workers": {repos: 50, workers: 5},
	} {
		t.Run(name, func(t *testing.T) {
			res := runFleet(t, cfg)
			t.Log(res.report(cfg))
			checkFleet(t, res)
		})
	}
}

// TestFleetLosesNothingWhenGitHubIsFlaky: with 10% of requests answered
// 500/502 (half of the failed writes carried out anyway) and 5% secondary
// limits, no job is given up and nothing is duplicated.
func TestFleetLosesNothingWhenGitHubIsFlaky(t *testing.T) {
	cfg := fleetConfig{repos: 50, workers: 5, faults: githubfake.Faults{ServerErrors: 0.10, SecondaryLimits: 0.05, Seed: 11}}
	res := runFleet(t, cfg)
	t.Log(res.report(cfg))
	checkFleet(t, res)
}

func checkFleet(t *testing.T, res *fleetResult) {
	t.Helper()
	if res.limits.Violations != 0 || res.limits.WritesDuringPause != 0 {
		t.Errorf("limits: %+v", res.limits)
	}
	if res.givenUp != 0 || res.failed != 0 {
		t.Errorf("%d jobs given up, %d failed", res.givenUp, res.failed)
	}
	if len(res.duplicates) != 0 {
		t.Errorf("duplicates: %v", res.duplicates)
	}
	if len(res.missing) != 0 {
		t.Errorf("missing: %v", res.missing)
	}
	// The first nightly rescan after the rollout (no marks yet): per
	// hundred repositories a page of the list and one GraphQL query, plus
	// the installations, the token and the deliveries; nothing queued,
	// since every head has its check run. The next, unchanged night: the
	// list alone. Neither writes.
	pages := (len(res.checkRunsByRepo) + 99) / 100
	if c := res.coldRescan; c.writes != 0 || c.queued != 0 || c.requests > 3+2*pages {
		t.Errorf("first rescan: %+v", c)
	}
	if c := res.rescan; c.writes != 0 || c.queued != 0 || c.queries != 0 || c.requests > 3+pages {
		t.Errorf("unchanged rescan: %+v", c)
	}
}
