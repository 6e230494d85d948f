package dashboard

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/hardener/hardener/templates"
)

// MaxBodyChars is GitHub's limit on an issue body.
const MaxBodyChars = 65536

// Marker identifies the dashboard issue among the App's issues.
const Marker = "<!-- hardener:dashboard -->"

// Title is the dashboard issue's title.
const Title = "Hardener dashboard"

// rank orders the rows of the main table: errors first, then what is left
// to fix, most severe first.
func rank(s *Status) int {
	switch s.State {
	case Failed:
		return 0
	case Pending:
		return 3
	case OptedOut:
		return 4
	}
	if s.healthy() {
		return 2
	}
	return 1
}

// less is the order of importance of rows: the main table's order, and the
// order in which the state block keeps them when it runs out of room.
func less(a, b *Status) bool {
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	if a.High != b.High {
		return a.High > b.High
	}
	if a.Medium != b.Medium {
		return a.Medium > b.Medium
	}
	if a.Low != b.Low {
		return a.Low > b.Low
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.ID < b.ID
}

// view feeds templates/dashboard.md.tmpl. Every string in it is Markdown
// already: repository-controlled text is escaped when the view is built.
type view struct {
	Marker, Title string
	Owner         string
	Updated       string
	Total         int
	Totals        []totalRow
	Pie           []totalRow
	Findings      Findings
	Before, After string
	Waiting       string // the queue and its ETA; "" when nothing waits
	HiddenPrivate int
	Rows          []string
	RowsMore      int
	Errors        namesList // errors the table had no room for
	OptedOut      namesList
	Report        namesList
	Healthy       namesList
	Pending       namesList
	Forgotten     int // rows the state block had no room for
	State         string
}

type totalRow struct {
	Label string
	Count int
}

type namesList struct {
	Names []string
	More  int
	Total int
}

// Data is what a dashboard shows.
type Data struct {
	Owner   string
	Rows    []*Status // every repository of the owner the App sees
	Updated time.Time
	History []point
	// PublicIssue: the issue's repository is public, so private
	// repositories are counted but not named.
	PublicIssue bool
	// Forgotten counts repositories whose rows the previous state block
	// had no room for.
	Forgotten int
}

// render builds the body: the visible part fitted into what the state
// block leaves, then the block itself (with links kept for the rows
// shown). It returns the body and the rows the state block dropped.
func render(d Data, st *saved) (string, int, error) {
	shown := map[int64]bool{}
	detailed := func(s *Status) bool { return shown[s.ID] || s.State == Failed }
	base, _ := encodeState(st, func(*Status) bool { return false }, MaxStateChars)
	budget := MaxBodyChars - len(base) - 200
	for try := 0; try < 6; try++ {
		v, shownNow := buildView(d, budget)
		shown = shownNow
		block, dropped := encodeState(st, detailed, MaxStateChars)
		v.State = block
		v.Forgotten = d.Forgotten + dropped
		body, err := templates.Render("dashboard.md.tmpl", v)
		if err != nil {
			return "", 0, err
		}
		if n := chars(body); n <= MaxBodyChars {
			return body, dropped, nil
		} else {
			budget -= n - MaxBodyChars + 500
		}
	}
	return "", 0, fmt.Errorf("dashboard body does not fit %d characters", MaxBodyChars)
}

// chars counts characters as GitHub's limit does (UTF-16 code units, the
// larger of the usual counts for the emoji used here).
func chars(s string) int { return len(utf16.Encode([]rune(s))) }

func buildView(d Data, budget int) (view, map[int64]bool) {
	v := view{Marker: Marker, Title: Title, Owner: templates.Text(d.Owner), Updated: d.Updated.UTC().Format("2006-01-02 15:04 UTC")}
	rows := append([]*Status(nil), d.Rows...)
	sort.Slice(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	var counts [numStates]int
	var before, after, nb, na int
	for _, r := range rows {
		counts[r.State]++
		v.Findings.High += r.High
		v.Findings.Medium += r.Medium
		v.Findings.Low += r.Low
		if r.Before != NoScore {
			before, nb = before+int(r.Before), nb+1
		}
		if r.After != NoScore {
			after, na = after+int(r.After), na+1
		} else if r.Before != NoScore {
			after, na = after+int(r.Before), na+1 // nothing fixed yet: unchanged
		}
	}
	v.Total = len(rows)
	v.Before, v.After = avg(before, nb), avg(after, na)
	for st := State(0); st < numStates; st++ {
		v.Totals = append(v.Totals, totalRow{Label: st.String(), Count: counts[st]})
		if counts[st] > 0 {
			v.Pie = append(v.Pie, totalRow{Label: pieLabels[st], Count: counts[st]})
		}
	}
	v.Waiting = waiting(counts[Pending], len(rows), d.History)

	var table []*Status
	var opted, report, healthy, pending []*Status
	for _, r := range rows {
		if d.PublicIssue && r.Private {
			v.HiddenPrivate++
			continue
		}
		switch {
		case r.State == OptedOut:
			opted = append(opted, r)
		case r.State == Pending:
			pending = append(pending, r)
		case r.healthy():
			healthy = append(healthy, r)
		default:
			table = append(table, r)
			if r.State == ReportMode {
				report = append(report, r)
			}
		}
	}
	// Fill the budget in order of importance — errors, the lists that are
	// never hidden, the rest of the table, the healthy, the waiting — each
	// within a share, so that a flood of one kind leaves room for the
	// others; what is left over goes to the table.
	left := budget - chars(fixedPart(v))
	shown := map[int64]bool{}
	failed, other := &rowCursor{}, &rowCursor{}
	for _, r := range table {
		if r.State == Failed {
			failed.rows = append(failed.rows, r)
		} else {
			other.rows = append(other.rows, r)
		}
	}
	share := func(pct int) int { return max(left, 0) * pct / 100 }
	use := func(room, given int) { left -= given - room }
	given := share(35)
	use(failed.take(given, shown), given)
	// Errors without room in the table are still named.
	var room int
	v.Errors, room = names(failed.rows[failed.next:], left)
	use(room, left)
	given = share(15)
	v.OptedOut, room = names(opted, given)
	use(room, given)
	given = share(15)
	v.Report, room = names(report, given)
	use(room, given)
	healthyRoom, pendingRoom := share(15), share(10)
	given = left - healthyRoom - pendingRoom
	use(other.take(given, shown), given)
	v.Healthy, room = names(healthy, healthyRoom)
	use(room, healthyRoom)
	v.Pending, room = names(pending, left)
	use(room, left)
	// Leftovers: more of the table.
	given = left
	use(other.take(given, shown), given)
	// Rows keep the table's order: errors, then the rest.
	for _, r := range table {
		if shown[r.ID] {
			v.Rows = append(v.Rows, rowLine(r))
		}
	}
	v.RowsMore = len(table) - len(v.Rows)
	return v, shown
}

// rowCursor hands out table rows in order while they fit.
type rowCursor struct {
	rows []*Status
	next int
}

func (c *rowCursor) take(room int, shown map[int64]bool) int {
	for ; c.next < len(c.rows); c.next++ {
		line := rowLine(c.rows[c.next])
		if chars(line)+1 > room {
			break
		}
		room -= chars(line) + 1
		shown[c.rows[c.next].ID] = true
	}
	return room
}

// fixedPart estimates the body without rows and names.
func fixedPart(v view) string {
	v.State = strings.Repeat("x", 0)
	s, _ := templates.Render("dashboard.md.tmpl", v)
	return s + strings.Repeat("x", 600) // the "…and N more" lines
}

func avg(sum, n int) string {
	if n == 0 {
		return "–"
	}
	return Score((sum + n/2) / n).String()
}

// rowLine is one row of the main table.
func rowLine(r *Status) string {
	name := templates.Text(r.Name)
	base := safeURL(r.URL)
	if base != "" {
		name = "[" + name + "](" + base + ")"
	}
	status := r.State.String()
	if r.State == Failed && r.Message != "" {
		status += ": " + templates.Text(truncate(r.Message, 120))
	}
	var links []string
	if base != "" && r.PR > 0 {
		links = append(links, fmt.Sprintf("[PR #%d](%s/pull/%d)", r.PR, base, r.PR))
	}
	if base != "" && r.CheckRun > 0 {
		links = append(links, fmt.Sprintf("[check](%s/runs/%d)", base, r.CheckRun))
	}
	return fmt.Sprintf("| %s | %s | %s → %s | %d | %d | %d | %s |", name, status, r.Before, r.After,
		r.High, r.Medium, r.Low, strings.Join(links, " · "))
}

// names lists repository names (without links: a list of thousands
// should name as many as it can) within room, and returns the room left.
func names(rows []*Status, room int) (namesList, int) {
	l := namesList{Total: len(rows)}
	for _, r := range rows {
		n := templates.Text(r.Name)
		if chars(n)+2 > room {
			break
		}
		room -= chars(n) + 2
		l.Names = append(l.Names, n)
	}
	l.More = len(rows) - len(l.Names)
	return l, room
}

// waiting says how many repositories wait for their first result and, from
// the pace between the last updates, when they should be done.
func waiting(pending, total int, hist []point) string {
	if pending == 0 {
		return ""
	}
	s := fmt.Sprintf("%d of %d repositories %s waiting for their first scan.", pending, total, map[bool]string{true: "is", false: "are"}[pending == 1])
	if len(hist) < 2 {
		return s + " The pace shows after the next update."
	}
	first, last := hist[max(0, len(hist)-6)], hist[len(hist)-1]
	done, hours := last.Done-first.Done, last.At.Sub(first.At).Hours()
	if done <= 0 || hours <= 0 {
		return s + fmt.Sprintf(" No progress since %s.", first.At.UTC().Format("2006-01-02 15:04 UTC"))
	}
	rate := float64(done) / hours
	eta := time.Duration(float64(pending) / rate * float64(time.Hour))
	return s + fmt.Sprintf(" At the recent pace (%.0f per hour) the rest should be done in about %s.", rate, roundDuration(eta))
}

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", max(1, int(d.Minutes()+0.5)))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()+0.5))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24+0.5))
}
