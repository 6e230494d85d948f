package dashboard

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleState() *saved {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return &saved{
		Watermark: at.Add(-time.Hour), OrgConfig: 0xdeadbeef12345678, Updated: at,
		History: []point{{At: at.Add(-2 * time.Hour), Done: 3, Total: 10}, {At: at, Done: 9, Total: 10}},
		Rows: map[int64]*Status{
			7:     {ID: 7, State: PROpen, Findings: Findings{High: 2, Low: 1}, Before: 41, After: 80, PR: 12, CheckRun: 99999999999},
			9:     {ID: 9, State: Failed, Before: NoScore, After: NoScore, Message: "bad config: ünïcode", Recheck: true},
			12345: {ID: 12345, State: PRMerged, Private: true, Before: 70, After: NoScore, PR: 3},
		},
	}
}

func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	s := sampleState()
	block, dropped := encodeState(s, func(r *Status) bool { return r.ID != 12345 }, MaxStateChars)
	if dropped != 0 {
		t.Fatalf("dropped %d", dropped)
	}
	got, err := decodeState("# title\n\nvisible text\n" + block + "\n")
	if err != nil {
		t.Fatal(err)
	}
	want := sampleState()
	// Only the rows shown with links keep their PR and check run.
	want.Rows[12345].PR = 0
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(saved{}, point{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStateDropsTheLeastImportantRowsWhenFull(t *testing.T) {
	t.Parallel()
	s := &saved{Rows: map[int64]*Status{}}
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 3000; i++ {
		st := &Status{ID: int64(1 + r.Intn(1<<30)), State: PRMerged, Before: Score(r.Intn(100)), After: Score(r.Intn(100))}
		if i%10 == 0 {
			st.State, st.High = PROpen, 1+r.Intn(5)
		}
		s.Rows[st.ID] = st
	}
	block, dropped := encodeState(s, func(*Status) bool { return false }, 4000)
	if len(block) > 4000 || dropped == 0 {
		t.Fatalf("block %d chars, %d dropped", len(block), dropped)
	}
	got, err := decodeState(block)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(s.Rows)-dropped {
		t.Errorf("kept %d rows, want %d", len(got.Rows), len(s.Rows)-dropped)
	}
	for _, row := range got.Rows {
		if row.State == PRMerged {
			for _, o := range s.Rows {
				if o.State == PROpen && got.Rows[o.ID] == nil {
					t.Fatalf("an open PR with high findings (%d) was dropped while a healthy row (%d) was kept", o.ID, row.ID)
				}
			}
		}
	}
}

// TestStateBlockFromAnEditorIsBounded: anyone who may edit the issue may
// edit the block; what they write is read within bounds or ignored.
func TestStateBlockFromAnEditorIsBounded(t *testing.T) {
	t.Parallel()
	good, _ := encodeState(sampleState(), func(*Status) bool { return true }, MaxStateChars)
	payload := strings.TrimSuffix(strings.TrimPrefix(good, "<!-- hardener:dashboard-state v1 "), " -->")
	raw, _ := decode85(payload)
	tests := map[string]string{
		"not base85":  "<!-- hardener:dashboard-state v1 AAA -->",
		"not deflate": "<!-- hardener:dashboard-state v1 " + encode85([]byte("plain")) + " -->",
		"truncated":   "<!-- hardener:dashboard-state v1 " + encode85(raw[:len(raw)/2]) + " -->",
		"oversized":   "<!-- hardener:dashboard-state v1 " + strings.Repeat("AAAAA", MaxStateChars) + " -->",
		"bomb":        "<!-- hardener:dashboard-state v1 " + deflated(make([]byte, maxInflated+10)) + " -->",
		"bad version": "<!-- hardener:dashboard-state v1 " + deflated([]byte{9, 0, 0, 0, 0, 0}) + " -->",
		"trailing":    "<!-- hardener:dashboard-state v1 " + deflated([]byte{1, 0, 0, 0, 0, 0, 9}) + " -->",
		"long message": "<!-- hardener:dashboard-state v1 " + deflated(append([]byte{1, 0, 0, 0, 0, 1, 0, 1, 0x80, flagDetail, 0, 0, 0xff, 0x01},
			make([]byte, 255)...)) + " -->",
		"huge count": "<!-- hardener:dashboard-state v1 " + deflated([]byte{1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}) + " -->",
	}
	for name, body := range tests {
		got, err := decodeState(body)
		if err == nil || len(got.Rows) != 0 {
			t.Errorf("%s: %d rows, err %v; want an error and no rows", name, len(got.Rows), err)
		}
	}
	if got, err := decodeState("no block at all"); err != nil || len(got.Rows) != 0 {
		t.Errorf("no block: %v %v", got, err)
	}
}

func deflated(b []byte) string {
	var buf strings.Builder
	w := newFlate(&buf)
	w.Write(b)
	w.Close()
	return encode85([]byte(buf.String()))
}

func FuzzDecodeState(f *testing.F) {
	good, _ := encodeState(sampleState(), func(*Status) bool { return true }, MaxStateChars)
	f.Add(good)
	f.Add("<!-- hardener:dashboard-state v1 AAAA -->")
	f.Fuzz(func(t *testing.T, body string) {
		s, err := decodeState(body)
		if err != nil && len(s.Rows) != 0 {
			t.Fatal("rows from a damaged block")
		}
		for _, r := range s.Rows {
			if r.State >= numStates || len(r.Message) > maxMessage+len("…") {
				t.Fatalf("row out of bounds: %+v", r)
			}
		}
		if len(s.History) > maxHistory {
			t.Fatalf("%d history points", len(s.History))
		}
	})
}
