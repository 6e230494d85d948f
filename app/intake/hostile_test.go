package intake

import (
	"net/http"
	"os"
	"testing"
)

// TestHostileSpacedTimestamps: GitHub formats some check_run timestamps as
// "2018-04-25 20:42:10" (no T, no zone). A correctly signed re-run request
// in that form is routed, not refused with 400.
func TestHostileSpacedTimestamps(t *testing.T) {
	t.Parallel()
	// GitHub's requested_action example turned into a re-run request, with
	// every timestamp in the spaced form.
	body, err := os.ReadFile("testdata/check_run.rerequested.spaced-time.json")
	if err != nil {
		t.Fatal(err)
	}
	q := &fakeEnqueuer{}
	rec := deliver(t, NewHandler(testSecret, q, nil), "check_run", "spaced", body, Sign(testSecret, body))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d (%s), want 202", rec.Code, rec.Body)
	}
	want := Job{Kind: JobCheck, Action: "rerequested", Delivery: "spaced", InstallationID: 690857,
		Owner: "electron", Repo: "electron", RepoID: 9384267,
		HeadSHA: "5bd5f196a46b8222fb7484f05faba41a73cf34bd", HeadBranch: "miniak/event-process-id",
		PR: 26764, BaseSHA: "45eee468647309e9e6cdb2a88a3b460a59771fef", CheckRunID: 1494503112}
	if len(q.jobs) != 1 || q.jobs[0] != want {
		t.Fatalf("jobs %+v\nwant %+v", q.jobs, want)
	}
}

// TestHostileLenientFields: fields routing does not read may hold anything;
// a field it reads that has the wrong type counts as absent. Neither is a
// 400 for a signed delivery of a handled event.
func TestHostileLenientFields(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		event, body string
		status      int
	}{
		"odd unused fields": {"check_suite", `{"action":"requested","installation":{"id":7},
			"repository":{"id":3,"name":"r","owner":{"login":"o"},"created_at":"yesterday","pushed_at":[1]},
			"check_suite":{"head_sha":"abc","updated_at":"2018-04-25 20:42:10","app":"??"}}`, http.StatusAccepted},
		"installation id as string": {"pull_request", `{"action":"opened","installation":{"id":"7"},"number":1}`, http.StatusOK},
		"pull_request as array":     {"pull_request", `{"action":"opened","installation":{"id":7},"pull_request":[]}`, http.StatusOK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := []byte(tc.body)
			rec := deliver(t, NewHandler(testSecret, &fakeEnqueuer{}, nil), tc.event, "d", body, Sign(testSecret, body))
			if rec.Code != tc.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.status)
			}
		})
	}
}
