package dashboard

import (
	"strings"
	"testing"
)

func TestReportRoundTrip(t *testing.T) {
	t.Parallel()
	tests := map[string]Report{
		"findings and scores": {Findings: Findings{High: 3, Medium: 1, Low: 7}, Before: 42, After: 85, PR: 12},
		"report mode":         {Findings: Findings{Low: 1}, Before: NoScore, After: NoScore, ReportMode: true},
		"hostile error":       {Before: NoScore, After: NoScore, Error: "x --> <script>alert(1)</script> -- @team #1 `code` |a|"},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := r.Text()
			if !strings.HasPrefix(text, "<!-- ") || !strings.HasSuffix(text, " -->") ||
				strings.Count(text, "-->") != 1 || strings.Count(text, "--") != 2 || strings.ContainsAny(text[4:len(text)-3], "<>") {
				t.Fatalf("the comment can be closed early or carries markup: %s", text)
			}
			got, ok := ParseReport("summary text\n" + text + "\nmore")
			if !ok || got != r {
				t.Errorf("round trip: %+v, %v; want %+v", got, ok, r)
			}
		})
	}
}

func TestParseReportRejects(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"none":         "## Hardener found 3 findings",
		"not json":     "<!-- hardener:dashboard-report {nope} -->",
		"too long":     "<!-- hardener:dashboard-report {\"e\":\"" + strings.Repeat("a", 5000) + "\"} -->",
		"wrong prefix": "<!-- hardener:fixes={\"f\":[1,2,3]} -->",
	} {
		if r, ok := ParseReport(text); ok {
			t.Errorf("%s: parsed %+v", name, r)
		}
	}
	r, ok := ParseReport(`<!-- hardener:dashboard-report {"f":[-4,2,1],"b":500,"a":-9,"pr":-1} -->`)
	if !ok || r.High != 0 || r.Before != NoScore || r.After != NoScore || r.PR != 0 {
		t.Errorf("out-of-range values not clamped: %+v", r)
	}
}

func TestScoreOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   map[string]int
		want string
	}{
		{map[string]int{"a": 10, "b": 5}, "7.5"},
		{map[string]int{"a": 3, "b": -1}, "3.0"},
		{map[string]int{"a": -1}, "–"},
		{nil, "–"},
		{map[string]int{"a": 7, "b": 8, "c": 8}, "7.7"},
	} {
		if got := ScoreOf(tc.in).String(); got != tc.want {
			t.Errorf("ScoreOf(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
