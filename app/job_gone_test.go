package app

import (
	"context"
	"testing"

	"github.com/hardener/hardener/app/ghclient"
	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/internal/githubfake"
)

// TestJobsOfAnUninstalledAppEndQuietly: after installation.deleted, GitHub
// answers 404 to the installation's token request. Its jobs, the closing
// one included, are done, not failed: retrying cannot change the answer,
// and on Lambda a failure would end in the dead-letter queue.
func TestJobsOfAnUninstalledAppEndQuietly(t *testing.T) {
	t.Parallel()
	f := githubfake.New(t)
	f.AddRepo("octo-org", "hello", workflowFiles())
	clients, err := ghclient.NewClients(1, githubfake.AppKey(t), f.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(clients, nil, WorkerOptions{})
	for _, kind := range []intake.JobKind{intake.JobUninstall, intake.JobInstall, intake.JobRescan} {
		job := intake.Job{Kind: kind, InstallationID: 99, Owner: "octo-org", Repo: "hello"}
		if err := w.Run(context.Background(), job); err != nil {
			t.Errorf("%s: %v, want done", kind, err)
		}
	}
	if n := f.Count("apps/create-installation-access-token"); n != 3 {
		t.Errorf("token requests %d, want one per job", n)
	}
}
