package pin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/registry"
)

// TestRegistryAdapter pins a Dockerfile through a *registry.Client talking
// to a fake registry that serves an index digest for node:20.
func TestRegistryAdapter(t *testing.T) {
	const digest = "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.Method+" "+r.URL.Path)
		if r.URL.Path != "/v2/library/node/manifests/20" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		w.Header().Set("Docker-Content-Digest", digest)
	}))
	t.Cleanup(srv.Close)
	env := newEnv(map[string][]byte{"Dockerfile": []byte("FROM node:20 AS a\nFROM docker.io/library/node:20\nFROM nope:1\n")}, nil)
	env.Images = Registry{Client: &registry.Client{Endpoints: map[string]string{"docker.io": srv.URL}}}
	res, err := PinImages{}.Apply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	want := "FROM node:20@" + digest + " AS a\nFROM docker.io/library/node:20@" + digest + "\nFROM nope:1\n"
	if got := string(res.Changes[0].After); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Message, "nope:1") {
		t.Errorf("notes %+v", res.Notes)
	}
	// node:20 and docker.io/library/node:20 are one tag: one request.
	if strings.Count(strings.Join(requests, "\n"), "library/node") != 1 {
		t.Errorf("requests %q", requests)
	}
}
