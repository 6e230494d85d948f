package intake

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

// mustJSON builds a payload from a Go value.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type obj = map[string]any

var inst = obj{"id": 42}

func repoObj(id int, owner, name, def string) obj {
	return obj{"id": id, "name": name, "full_name": owner + "/" + name,
		"owner": obj{"login": owner}, "default_branch": def}
}

func prPayload(action string, headRepo, baseRepo int) obj {
	return obj{
		"action": action, "number": 7, "installation": inst,
		"repository": repoObj(baseRepo, "o", "r", "main"),
		"pull_request": obj{
			"number": 7,
			"head":   obj{"sha": "headsha", "ref": "feature", "repo": obj{"id": headRepo}},
			"base":   obj{"sha": "basesha", "ref": "main", "repo": obj{"id": baseRepo}},
		},
	}
}

func TestRouteTable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		event   string
		payload func(t testing.TB) []byte
		want    []Job
	}{
		"installation created (real)": {
			event:   "installation",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "installation", "created.json") },
			want: []Job{{Kind: JobInstall, Action: "created", InstallationID: 957387,
				Owner: "Codertocat", Repo: "Hello-World", RepoID: 186853002}},
		},
		"installation deleted (real)": {
			event:   "installation",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "installation", "deleted.json") },
			want: []Job{{Kind: JobUninstall, Action: "deleted", InstallationID: 2,
				Owner: "octocat", Repo: "Hello-World", RepoID: 1296269}},
		},
		"installation suspend": {
			event: "installation",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "suspend", "installation": inst})
			},
		},
		"installation_repositories added (real)": {
			event:   "installation_repositories",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "installation_repositories", "added.json") },
			want: []Job{{Kind: JobInstall, Action: "added", InstallationID: 957387,
				Owner: "Codertocat", Repo: "Space", RepoID: 186853007}},
		},
		"installation_repositories removed": {
			event: "installation_repositories",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "removed", "installation": obj{"id": 42, "account": obj{"login": "o"}},
					"repositories_removed": []obj{{"id": 1, "name": "a", "full_name": "o/a"}, {"id": 2, "name": "b"}}})
			},
			want: []Job{
				{Kind: JobUninstall, Action: "removed", InstallationID: 42, Owner: "o", Repo: "a", RepoID: 1},
				{Kind: JobUninstall, Action: "removed", InstallationID: 42, Owner: "o", Repo: "b", RepoID: 2},
			},
		},
		"check_suite requested (real)": {
			event:   "check_suite",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "check_suite", "requested.json") },
			want: []Job{{Kind: JobCheck, Action: "requested", InstallationID: 957387, Owner: "Codertocat",
				Repo: "Hello-World", RepoID: 186853002, HeadBranch: "master",
				HeadSHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"}},
		},
		"check_suite rerequested with PR": {
			event: "check_suite",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "rerequested", "installation": inst, "repository": repoObj(5, "o", "r", "main"),
					"check_suite": obj{"head_sha": "abc", "head_branch": "feat",
						"pull_requests": []obj{{"number": 3, "base": obj{"sha": "def"}}}}})
			},
			want: []Job{{Kind: JobCheck, Action: "rerequested", InstallationID: 42, Owner: "o", Repo: "r",
				RepoID: 5, HeadSHA: "abc", HeadBranch: "feat", PR: 3, BaseSHA: "def"}},
		},
		"check_suite completed": {
			event: "check_suite",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "completed", "installation": inst, "repository": repoObj(5, "o", "r", "main"),
					"check_suite": obj{"head_sha": "abc"}})
			},
		},
		"check_run rerequested": {
			event: "check_run",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "rerequested", "installation": inst, "repository": repoObj(5, "o", "r", "main"),
					"check_run": obj{"id": 99, "head_sha": "abc", "check_suite": obj{"head_branch": "main"}}})
			},
			want: []Job{{Kind: JobCheck, Action: "rerequested", InstallationID: 42, Owner: "o", Repo: "r",
				RepoID: 5, HeadSHA: "abc", HeadBranch: "main", CheckRunID: 99}},
		},
		"check_run requested_action open_hardening_pr": {
			event: "check_run",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "requested_action", "installation": inst, "repository": repoObj(5, "o", "r", "main"),
					"requested_action": obj{"identifier": ActionOpenHardeningPR},
					"check_run":        obj{"id": 99, "head_sha": "abc", "check_suite": obj{"head_branch": "main"}}})
			},
			want: []Job{{Kind: JobRefreshPR, Action: "requested_action", InstallationID: 42, Owner: "o", Repo: "r",
				RepoID: 5, HeadSHA: "abc", HeadBranch: "main", CheckRunID: 99}},
		},
		"check_run requested_action other app's (real)": {
			event:   "check_run",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "check_run", "requested_action.json") },
		},
		"check_run created": {
			event: "check_run",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"action": "created", "installation": inst, "repository": repoObj(5, "o", "r", "main"),
					"check_run": obj{"id": 99, "head_sha": "abc"}})
			},
		},
		"pull_request opened": {
			event:   "pull_request",
			payload: func(t testing.TB) []byte { return mustJSON(t, prPayload("opened", 5, 5)) },
			want: []Job{{Kind: JobCheck, Action: "opened", InstallationID: 42, Owner: "o", Repo: "r", RepoID: 5,
				PR: 7, HeadSHA: "headsha", HeadBranch: "feature", BaseSHA: "basesha"}},
		},
		"pull_request synchronize from fork": {
			event:   "pull_request",
			payload: func(t testing.TB) []byte { return mustJSON(t, prPayload("synchronize", 6, 5)) },
			want: []Job{{Kind: JobCheck, Action: "synchronize", InstallationID: 42, Owner: "o", Repo: "r", RepoID: 5,
				PR: 7, HeadSHA: "headsha", HeadBranch: "feature", BaseSHA: "basesha", Fork: true}},
		},
		"pull_request reopened": {
			event:   "pull_request",
			payload: func(t testing.TB) []byte { return mustJSON(t, prPayload("reopened", 5, 5)) },
			want: []Job{{Kind: JobCheck, Action: "reopened", InstallationID: 42, Owner: "o", Repo: "r", RepoID: 5,
				PR: 7, HeadSHA: "headsha", HeadBranch: "feature", BaseSHA: "basesha"}},
		},
		"pull_request closed (real)": {
			event:   "pull_request",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "pull_request", "closed.json") },
		},
		"pull_request without installation": {
			event: "pull_request",
			payload: func(t testing.TB) []byte {
				p := prPayload("opened", 5, 5)
				delete(p, "installation")
				return mustJSON(t, p)
			},
		},
		"push to default branch": {
			event: "push",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"ref": "refs/heads/main", "after": "newsha", "installation": inst,
					"repository": obj{"id": 5, "name": "r", "full_name": "o/r", "default_branch": "main",
						"owner": obj{"name": "o", "email": "o@example.com"}}})
			},
			want: []Job{{Kind: JobRefreshPR, Action: "push", InstallationID: 42, Owner: "o", Repo: "r", RepoID: 5,
				HeadSHA: "newsha", HeadBranch: "main"}},
		},
		"push to other branch": {
			event: "push",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"ref": "refs/heads/feature", "after": "newsha", "installation": inst,
					"repository": repoObj(5, "o", "r", "main")})
			},
		},
		"push deleting default branch": {
			event: "push",
			payload: func(t testing.TB) []byte {
				return mustJSON(t, obj{"ref": "refs/heads/main", "deleted": true, "installation": inst,
					"repository": repoObj(5, "o", "r", "main")})
			},
		},
		"push tag deletion (real)": {
			event:   "push",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "push", "with-installation.json") },
		},
		"ping (real)": {
			event:   "ping",
			payload: func(t testing.TB) []byte { return githubfake.Webhook(t, "ping", "payload.json") },
		},
		"repository created (real)": {
			event: "repository",
			payload: func(t testing.TB) []byte {
				return githubfake.Webhook(t, "repository", "created.with-installation.json")
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := Decide(tc.event, tc.payload(t))
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if !reflect.DeepEqual(d.Jobs, tc.want) && !(len(d.Jobs) == 0 && len(tc.want) == 0) {
				t.Fatalf("jobs:\n got %+v\nwant %+v", d.Jobs, tc.want)
			}
			if len(d.Jobs) == 0 && d.Ignored == "" {
				t.Error("no jobs and no reason")
			}
		})
	}
}

func TestRouteMalformed(t *testing.T) {
	t.Parallel()
	for _, event := range []string{"pull_request", "push", "ping", "star"} {
		_, err := Route(event, []byte(`{"action": "opened",`))
		var pe *PayloadError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want *PayloadError", event, err)
		}
	}
}

func TestJobJSONRoundTrip(t *testing.T) {
	t.Parallel()
	j := Job{Kind: JobCheck, Delivery: "d", InstallationID: 1, Owner: "o", Repo: "r", RepoID: 2,
		HeadSHA: "s", PR: 3, BaseSHA: "b", CheckRunID: 4, Fork: true, Action: "opened"}
	var back Job
	if err := json.Unmarshal(mustJSON(t, j), &back); err != nil || back != j {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
