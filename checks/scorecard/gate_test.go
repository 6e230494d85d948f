package scorecard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Not parallel: the parallel tests hold the gate while they run.
func TestGate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	g := offline()
	client := &http.Client{Transport: remote.DefaultTransport}
	get := func() error {
		resp, err := client.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	if _, ok := remote.DefaultTransport.(*http.Transport); !ok {
		t.Fatalf("DefaultTransport is %T, crane needs *http.Transport", remote.DefaultTransport)
	}
	if err := get(); err != nil {
		t.Fatalf("outside a scan: %v", err)
	}
	release := g.hold()
	// The kept-alive connection from the first request must not be reused.
	if err := get(); !errors.Is(err, errOffline) {
		t.Errorf("during a scan: error = %v, want errOffline", err)
	}
	release()
	if err := get(); err != nil {
		t.Errorf("after the scan: %v", err)
	}
}
