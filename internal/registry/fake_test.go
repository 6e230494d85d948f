package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeImage is a multi-platform image: its tag serves the index to clients
// that accept one and, like a registry down-converting, one platform's
// manifest to those that do not.
type fakeImage struct {
	index, amd64 []byte
	private      bool // needs credentials to get a pull token
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func newImage(name string) *fakeImage {
	amd := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"n":%q}}`, name))
	idx := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":%q,"platform":{"architecture":"amd64","os":"linux"}}]}`, digestOf(amd)))
	return &fakeImage{index: idx, amd64: amd}
}

// fakeRegistry speaks the distribution API with Docker Hub's anonymous
// token flow (realm on the same server) and counts requests.
type fakeRegistry struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// images is "repository:tag" → image.
	images map[string]*fakeImage
	// auth turns on the bearer token flow.
	auth bool
	// noDigestHeader drops Docker-Content-Digest from answers.
	noDigestHeader bool
	// fail answers the next n manifest requests with that status.
	fail, failN int
	// user and pass are the credentials private images need.
	user, pass string
	calls      []string
	gate       chan struct{}
}

func newRegistry(t *testing.T) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{t: t, images: map[string]*fakeImage{}, auth: true, user: "u", pass: "p"}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRegistry) reset() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	repo, tag, ok2 := strings.Cut(rest, "/manifests/")
	if !ok || !ok2 || (r.Method != http.MethodHead && r.Method != http.MethodGet) {
		f.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.Error(w, "bad route", http.StatusBadRequest)
		return
	}
	if f.failN > 0 {
		f.failN--
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(f.fail)
		return
	}
	if f.auth && r.Header.Get("Authorization") != "Bearer "+tokenFor(repo) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(
			`Bearer realm="%s/token",service="registry.test",scope="repository:%s:pull"`, f.srv.URL, repo))
		writeErr(w, r, http.StatusUnauthorized, "UNAUTHORIZED")
		return
	}
	img := f.images[repo+":"+tag]
	if img == nil {
		writeErr(w, r, http.StatusNotFound, "MANIFEST_UNKNOWN")
		return
	}
	body, typ := img.amd64, "application/vnd.oci.image.manifest.v1+json"
	if strings.Contains(r.Header.Get("Accept"), "application/vnd.oci.image.index.v1+json") {
		body, typ = img.index, "application/vnd.oci.image.index.v1+json"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	if !f.noDigestHeader {
		w.Header().Set("Docker-Content-Digest", digestOf(body))
	}
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// token grants a pull token for the scope's repository; a private image
// needs basic credentials.
func (f *fakeRegistry) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("service") != "registry.test" {
		f.t.Errorf("token: service %q", q.Get("service"))
	}
	repo := strings.TrimSuffix(strings.TrimPrefix(q.Get("scope"), "repository:"), ":pull")
	grant := tokenFor(repo)
	for key, img := range f.images {
		if strings.HasPrefix(key, repo+":") && img.private {
			if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass {
				grant = "anonymous" // a token without pull access, as Docker Hub does
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": grant, "expires_in": 300})
}

func tokenFor(repo string) string { return "tok-" + repo }

func writeErr(w http.ResponseWriter, r *http.Request, code int, errCode string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if r.Method == http.MethodGet {
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": errCode}}})
	}
}

// client returns a Client that sends docker.io and ghcr.io to the fake.
func (f *fakeRegistry) client() *Client {
	return &Client{Endpoints: map[string]string{"docker.io": f.srv.URL, "ghcr.io": f.srv.URL}}
}
