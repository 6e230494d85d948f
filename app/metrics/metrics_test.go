package metrics

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/intake"
)

// TestEMFLinesAreCloudWatchDocuments: every line is one JSON object whose
// _aws member declares exactly the metrics and dimensions it carries, as
// CloudWatch Logs requires to extract them.
func TestEMFLinesAreCloudWatchDocuments(t *testing.T) {
	t.Parallel()
	e := &EMF{Dimensions: map[string]string{"Function": "worker"}}
	ctx := WithRecorder(context.Background(), e)
	From(ctx).Add(JobsDone, "install", 1)
	From(ctx).Add(JobsDone, "install", 2)
	From(ctx).Add(JobsFailed, "check", 1)
	From(ctx).Add(RateLimitWait, "", 90)
	From(ctx).Add(PullRequestsOpened, "ignored for metrics without a dimension", 1)
	From(ctx).Add(JobsRetried, "", 1)

	var buf bytes.Buffer
	now := time.Unix(1700000000, 123e6)
	if err := e.Flush(&buf, now); err != nil {
		t.Fatal(err)
	}
	type doc map[string]any
	var docs []doc
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var d doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, sc.Text())
		}
		docs = append(docs, d)
	}
	if len(docs) != 4 {
		t.Fatalf("%d lines, want 4 (no dimension; JobKind check, install, unknown):\n%s", len(docs), buf.String())
	}
	want := []struct {
		kind    string
		metrics map[string]float64
	}{
		{"", map[string]float64{"RateLimitWaitSeconds": 90, "PullRequestsOpened": 1}},
		{"check", map[string]float64{"JobsFailed": 1}},
		{"install", map[string]float64{"JobsDone": 3}},
		{"unknown", map[string]float64{"JobsRetried": 1}},
	}
	for i, w := range want {
		d := docs[i]
		meta := d["_aws"].(map[string]any)
		if meta["Timestamp"].(float64) != float64(now.UnixMilli()) {
			t.Errorf("line %d: timestamp %v", i, meta["Timestamp"])
		}
		dir := meta["CloudWatchMetrics"].([]any)[0].(map[string]any)
		if dir["Namespace"] != Namespace || d["Function"] != "worker" {
			t.Errorf("line %d: namespace %v function %v", i, dir["Namespace"], d["Function"])
		}
		dims := fmt.Sprint(dir["Dimensions"])
		wantDims := "[[Function]]"
		if w.kind != "" {
			// Per kind, and the function's total across kinds.
			wantDims = "[[Function JobKind] [Function]]"
			if d["JobKind"] != w.kind {
				t.Errorf("line %d: JobKind %v, want %s", i, d["JobKind"], w.kind)
			}
		}
		if dims != wantDims {
			t.Errorf("line %d: dimensions %v, want %v", i, dims, wantDims)
		}
		ms := dir["Metrics"].([]any)
		if len(ms) != len(w.metrics) {
			t.Errorf("line %d: metrics %v, want %v", i, ms, w.metrics)
		}
		for _, m := range ms {
			m := m.(map[string]any)
			name := m["Name"].(string)
			if d[name] != w.metrics[name] {
				t.Errorf("line %d: %s = %v, want %v", i, name, d[name], w.metrics[name])
			}
			if unit := Name(name).Unit(); m["Unit"] != unit {
				t.Errorf("line %d: %s unit %v, want %s", i, name, m["Unit"], unit)
			}
		}
	}
	buf.Reset()
	if err := e.Flush(&buf, now); err != nil || buf.Len() != 0 {
		t.Errorf("second flush wrote %q, %v: a flush starts over", buf.String(), err)
	}
}

func TestEMFIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	e := &EMF{}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				e.Add(JobsDone, "rescan", 1)
			}
		}()
	}
	wg.Wait()
	var buf bytes.Buffer
	if err := e.Flush(&buf, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"JobsDone":800`) {
		t.Errorf("lost updates: %s", buf.String())
	}
}

func TestWithoutRecorderNothingHappens(t *testing.T) {
	t.Parallel()
	From(context.Background()).Add(JobsDone, "install", 1) // must not panic
}

func TestLogRecordsEachMeasurement(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Add(RateLimitWait, "", 42)
	l.Add(JobsDone, "check", 1)
	out := buf.String()
	for _, want := range []string{`"metric":"RateLimitWaitSeconds"`, `"value":42`, `"unit":"Seconds"`, `"metric":"JobsDone"`, `"dim":"check"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

type sliceQueue struct{ jobs []intake.Job }

func (s *sliceQueue) Enqueue(_ context.Context, jobs ...intake.Job) error {
	s.jobs = append(s.jobs, jobs...)
	return nil
}

func TestCountedCountsQueuedJobsByKind(t *testing.T) {
	t.Parallel()
	inner := &sliceQueue{}
	e := &EMF{}
	q := Counted(inner)
	ctx := WithRecorder(context.Background(), e)
	if err := q.Enqueue(ctx, intake.Job{Kind: intake.JobRescan}, intake.Job{Kind: intake.JobRescan}, intake.Job{Kind: intake.JobCheck}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_ = e.Flush(&buf, time.Now())
	if len(inner.jobs) != 3 || !strings.Contains(buf.String(), `"JobKind":"rescan","JobsQueued":2`) ||
		!strings.Contains(buf.String(), `"JobKind":"check","JobsQueued":1`) {
		t.Errorf("jobs %d, metrics %s", len(inner.jobs), buf.String())
	}
}
