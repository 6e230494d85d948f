package dashboard

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/hardener/hardener/internal/golden"
	"github.com/hardener/hardener/templates"
)

var renderAt = time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)

func smallRows() []*Status {
	u := func(n string) string { return "https://github.com/octo-org/" + n }
	return []*Status{
		{ID: 1, Name: "api", URL: u("api"), State: PROpen, Findings: Findings{High: 2, Medium: 1, Low: 4}, Before: 42, After: 81, PR: 7, CheckRun: 1001},
		{ID: 2, Name: "web_site", URL: u("web_site"), State: PRMerged, Findings: Findings{Low: 1}, Before: 77, After: 77, PR: 3, CheckRun: 1002},
		{ID: 3, Name: "tools", URL: u("tools"), State: Failed, Before: NoScore, After: NoScore, Message: "octo-org/tools:.github/hardener.yml:3: unknown key \"mdoe\"", CheckRun: 1003},
		{ID: 4, Name: "legacy", URL: u("legacy"), State: OptedOut, Before: NoScore, After: NoScore},
		{ID: 5, Name: "docs", URL: u("docs"), State: ReportMode, Findings: Findings{Medium: 3}, Before: 50, After: NoScore, CheckRun: 1005},
		{ID: 6, Name: "new-thing", URL: u("new-thing"), State: Pending, Before: NoScore, After: NoScore},
		{ID: 7, Name: "secret-sauce", URL: u("secret-sauce"), Private: true, State: PROpen, Findings: Findings{High: 1}, Before: 30, After: 60, PR: 2},
	}
}

func stateOf(rows []*Status, updated time.Time, hist []point) *saved {
	s := &saved{Updated: updated, History: hist, Rows: map[int64]*Status{}}
	for _, r := range rows {
		s.Rows[r.ID] = r
	}
	return s
}

// TestRenderSmall shows a whole dashboard for review.
func TestRenderSmall(t *testing.T) {
	t.Parallel()
	rows := smallRows()
	hist := []point{{At: renderAt.Add(-2 * time.Hour), Done: 3, Total: 7}, {At: renderAt, Done: 6, Total: 7}}
	body, dropped, err := render(Data{Owner: "octo-org", Rows: rows, Updated: renderAt, History: hist, PublicIssue: true}, stateOf(rows, renderAt, hist))
	if err != nil || dropped != 0 {
		t.Fatal(err, dropped)
	}
	golden.Check(t, "small.golden.md", []byte(body))
	for _, want := range []string{
		"| 🟠 PR open | 2 |", "| **all** | **7** |", "**3** high", // the private one is counted…
		"1 private repository is counted above but not named",
		"**Opted out** (1, by the organisation's `repositories.opt-out`/`opt-in`): legacy",
		"**Report mode** (1, check runs only): docs",
		`"Hardening PR open" : 2`, "1 of 7 repositories is waiting", "(2 per hour)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if strings.Contains(body, "secret-sauce") {
		t.Error("a private repository is named in a public issue")
	}
}

// TestRenderEscapesRepositoryText: configuration errors quote the
// repository's file, so they may carry any Markdown or HTML.
func TestRenderEscapesRepositoryText(t *testing.T) {
	t.Parallel()
	hostile := "x | <img src=x onerror=alert(1)> @admins #1 [pwn](https://evil.example) <!-- --> \n# heading ```"
	rows := []*Status{{ID: 1, Name: "evil_name", URL: "javascript:alert(1)", State: Failed, Before: NoScore, After: NoScore, Message: hostile}}
	body, _, err := render(Data{Owner: "octo-org", Rows: rows, Updated: renderAt}, stateOf(rows, renderAt, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<img", "@admins", "](https://evil", "javascript:", "\n# heading", "| <", "<!-- -->"} {
		if strings.Contains(body, bad) {
			t.Errorf("body carries %q unescaped:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, `evil\_name`) || !strings.Contains(body, `x \| &lt;img`) {
		t.Errorf("escaped text missing:\n%s", body)
	}
}

// fleet makes n repositories as an organisation in the middle of a
// rollout might have them.
func fleet(n int, seed int64) []*Status {
	r := rand.New(rand.NewSource(seed))
	rows := make([]*Status, 0, n)
	seen := map[int64]bool{}
	for len(rows) < n {
		id := 100_000_000 + r.Int63n(800_000_000)
		if seen[id] {
			continue
		}
		seen[id] = true
		name := fmt.Sprintf("project-%s-%d", []string{"api", "web", "cli", "sdk", "docs", "infra"}[r.Intn(6)], len(rows))
		s := &Status{ID: id, Name: name, URL: "https://github.com/big-foundation/" + name, Before: Score(20 + r.Intn(50)), After: NoScore}
		switch p := r.Intn(100); {
		case p < 30:
			s.State, s.PR, s.After = PROpen, 1+r.Intn(3000), s.Before+Score(r.Intn(30))
			s.High, s.Medium, s.Low = r.Intn(3), r.Intn(5), r.Intn(9)
		case p < 65:
			s.State, s.PR, s.After, s.Low = PRMerged, 1+r.Intn(3000), s.Before, r.Intn(3)
		case p < 70:
			s.State, s.PR, s.High = PRClosed, 1+r.Intn(3000), r.Intn(4)
		case p < 78:
			s.State = Scanned
		case p < 83:
			s.State, s.Medium = ReportMode, r.Intn(6)
		case p < 88:
			s.State, s.Before = OptedOut, NoScore
		case p < 90:
			s.State, s.Message, s.Before = Failed, "octo/x:.github/hardener.yml:2: unknown key \"foo\"", NoScore
		default:
			s.State, s.Before = Pending, NoScore
		}
		if s.State != Pending && s.State != OptedOut {
			s.CheckRun = 20_000_000_000 + r.Int63n(9_000_000_000)
		}
		s.Private = r.Intn(4) == 0
		rows = append(rows, s)
	}
	return rows
}

// TestRenderFitsAFoundation: 5,000 repositories fit one issue body, with
// every row remembered, errors listed first, opted-out and report-mode
// repositories named or counted, the rest summarised.
func TestRenderFitsAFoundation(t *testing.T) {
	t.Parallel()
	for _, n := range []int{300, 5000} {
		rows := fleet(n, int64(n))
		hist := []point{{At: renderAt.Add(-24 * time.Hour), Done: n / 3, Total: n}, {At: renderAt, Done: n - n/10, Total: n}}
		body, dropped, err := render(Data{Owner: "big-foundation", Rows: rows, Updated: renderAt, History: hist}, stateOf(rows, renderAt, hist))
		if err != nil {
			t.Fatal(err)
		}
		if c := chars(body); c > MaxBodyChars {
			t.Errorf("%d repositories: %d characters", n, c)
		}
		if dropped != 0 {
			t.Errorf("%d repositories: %d rows forgotten", n, dropped)
		}
		st, err := decodeState(body)
		if err != nil || len(st.Rows) != n {
			t.Errorf("%d repositories: state holds %d rows, %v", n, len(st.Rows), err)
		}
		failed, opted := 0, 0
		for _, r := range rows {
			switch r.State {
			case Failed:
				failed++
				if !strings.Contains(body, "["+templates.Text(r.Name)+"]") && !strings.Contains(body, " "+templates.Text(r.Name)+",") && !strings.Contains(body, " "+templates.Text(r.Name)+"\n") {
					t.Errorf("%d repositories: failed %s not listed", n, r.Name)
				}
			case OptedOut:
				opted++
			}
		}
		if !strings.Contains(body, fmt.Sprintf("**Opted out** (%d,", opted)) || !strings.Contains(body, fmt.Sprintf("| **all** | **%d** |", n)) {
			t.Errorf("%d repositories: totals or the opted-out count missing", n)
		}
		t.Logf("%d repositories: body %d characters, state block %d", n, chars(body), len(stateRe.FindString(body)))
	}
}

func BenchmarkRender5000(b *testing.B) {
	rows := fleet(5000, 1)
	st := stateOf(rows, renderAt, nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := render(Data{Owner: "big-foundation", Rows: rows, Updated: renderAt}, st); err != nil {
			b.Fatal(err)
		}
	}
}
