package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// delivery is one entry of the fake's webhook delivery log.
type delivery struct {
	id      int64
	guid    string
	event   string
	code    int
	at      time.Time
	payload json.RawMessage
}

// deliveriesGitHub serves GET /app/hook/deliveries (cursor-paginated, newest
// first) and GET /app/hook/deliveries/{id} in GitHub's shape, and passes
// every other request to the shared GitHub fake.
type deliveriesGitHub struct {
	t    *testing.T
	log  []delivery // newest first
	mu   sync.Mutex
	gets []int64
}

func (d *deliveriesGitHub) start(t *testing.T, gh *githubfake.Fake) *httptest.Server {
	target, _ := url.Parse(gh.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/api/v3")
		rest, ok := strings.CutPrefix(path, "/app/hook/deliveries")
		if !ok {
			if strings.HasSuffix(path, "/access_tokens") {
				// ghinstallation sends the JSON body "null" for an unnarrowed
				// token, which GitHub takes but the fake's schema check does not.
				body, _ := io.ReadAll(r.Body)
				if strings.TrimSpace(string(body)) == "null" {
					body = []byte("{}")
				}
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			}
			proxy.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("deliveries: %s %s without the App JWT", r.Method, r.URL)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if rest == "" {
			d.list(w, r)
			return
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(rest, "/"), 10, 64)
		d.mu.Lock()
		d.gets = append(d.gets, id)
		d.mu.Unlock()
		for _, e := range d.log {
			if e.id == id {
				m := d.entry(e)
				m["request"] = map[string]any{"headers": map[string]string{"X-GitHub-Event": e.event, "X-GitHub-Delivery": e.guid}, "payload": e.payload}
				m["response"] = map[string]any{"headers": map[string]string{}, "payload": "bad gateway"}
				json.NewEncoder(w).Encode(m)
				return
			}
		}
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (d *deliveriesGitHub) entry(e delivery) map[string]any {
	status := "OK"
	if e.code >= 300 {
		status = "Invalid HTTP Response: " + strconv.Itoa(e.code)
	}
	return map[string]any{"id": e.id, "guid": e.guid, "delivered_at": e.at.UTC().Format(time.RFC3339),
		"redelivery": false, "duration": 0.5, "status": status, "status_code": e.code, "event": e.event,
		"action": nil, "installation_id": 1, "repository_id": nil, "throttled_at": nil}
}

func (d *deliveriesGitHub) list(w http.ResponseWriter, r *http.Request) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	end := min(start+max(per, 1), len(d.log))
	page := []any{}
	for _, e := range d.log[start:end] {
		page = append(page, d.entry(e))
	}
	if end < len(d.log) {
		next := *r.URL
		q := next.Query()
		q.Set("cursor", strconv.Itoa(end))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", `<http://`+r.Host+next.String()+`>; rel="next"`)
	}
	json.NewEncoder(w).Encode(page)
}

func testClients(t *testing.T, apiURL string) *ghclient.Clients {
	t.Helper()
	c, err := ghclient.NewClients(1, githubfake.AppKey(t), apiURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetWriteRate(0)
	return c
}

func TestRescanQueuesEveryRepositoryAndRecoversFailedDeliveries(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t)
	files := map[string]string{"README.md": "hello\n"}
	gh.AddRepo("octo-org", "alpha", files)
	gh.AddRepo("octo-org", "beta", files)
	gh.AddRepo("octo-org", "old", files, githubfake.Archived())
	gh.AddRepo("other", "gamma", files)
	gh.AddInstallation(githubfake.Installation{ID: 2, Account: "other", AccountType: "User"})

	suite := githubfake.Webhook(t, "check_suite", "requested.json")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := &deliveriesGitHub{t: t, log: []delivery{ // newest first
		{id: 40, guid: "C", event: "push", code: 200, at: now.Add(-1 * time.Hour)}, // redelivery that got through
		{id: 30, guid: "C", event: "push", code: 502, at: now.Add(-2 * time.Hour)},
		{id: 20, guid: "B", event: "push", code: 202, at: now.Add(-3 * time.Hour)},
		{id: 10, guid: "A", event: "check_suite", code: 502, at: now.Add(-4 * time.Hour), payload: suite},
		{id: 5, guid: "OLD", event: "check_suite", code: 500, at: now.Add(-72 * time.Hour), payload: suite},
	}}
	srv := fake.start(t, gh)

	q := &jobRecorder{}
	r := &Rescanner{Clients: testClients(t, srv.URL), Queue: q, PerPage: 2}
	if err := r.Run(context.Background(), now); err != nil {
		t.Fatal(err)
	}

	rescans := map[string]bool{}
	var recovered []intake.Job
	for _, j := range q.jobs {
		switch j.Kind {
		case intake.JobRescan:
			rescans[strconv.FormatInt(j.InstallationID, 10)+":"+j.Owner+"/"+j.Repo] = true
			if j.RepoID == 0 {
				t.Errorf("rescan job without repository id: %+v", j)
			}
		default:
			recovered = append(recovered, j)
		}
	}
	want := []string{"1:octo-org/alpha", "1:octo-org/beta", "2:other/gamma"}
	if len(rescans) != len(want) {
		t.Errorf("rescans = %v, want %v (archived skipped)", rescans, want)
	}
	for _, w := range want {
		if !rescans[w] {
			t.Errorf("no rescan for %s; got %v", w, rescans)
		}
	}
	routed, _ := intake.Route("check_suite", suite)
	if len(recovered) != 1 || recovered[0].Delivery != "A" || recovered[0].HeadSHA != routed[0].HeadSHA || recovered[0].Kind != intake.JobCheck {
		t.Errorf("recovered jobs = %+v, want the check_suite job of delivery A", recovered)
	}
	if len(fake.gets) != 1 || fake.gets[0] != 10 {
		t.Errorf("fetched deliveries %v, want only 10", fake.gets)
	}
}
