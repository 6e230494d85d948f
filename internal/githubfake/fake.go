// Package githubfake is a stateful httptest fake of the GitHub REST API for tests that use
// the real go-github client. Every request must be an operation of the OpenAPI subset in
// testdata/openapi, and JSON bodies must validate against its schemas; anything else
// fails the test. Repositories hold real git objects, so SHAs are computed like git's.
package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// Request is one request the fake received.
type Request struct {
	Method      string
	Path        string // without query and without the /api/v3 prefix
	Query       string
	OperationID string // "" when the request matched no operation; "codeload" for archives
	Write       bool   // the operation changes state
	Auth        string // "none", "app-jwt", "installation-token" or "other"
	Token       string // the installation token, when one was used
	Status      int
	At          time.Time // when it arrived, by the fake's clock
}

// Option configures a Fake.
type Option func(*Fake)

// RequireAuth makes the fake answer 401 to requests without a valid credential:
// an app JWT for /app endpoints, a token it issued for everything else.
func RequireAuth() Option { return func(f *Fake) { f.requireAuth = true } }

// EnforceWorkflowsPermission makes ref updates that change files under .github/workflows/
// fail unless the request's token has the `workflows` permission, as GitHub does.
func EnforceWorkflowsPermission() Option { return func(f *Fake) { f.enforceWorkflows = true } }

type failure struct {
	status  int
	headers map[string]string
	body    string
}

// Fake is the fake GitHub API server. Its methods are safe for concurrent use.
type Fake struct {
	t    testing.TB
	srv  *httptest.Server
	spec *spec

	mu               sync.Mutex
	requireAuth      bool
	enforceWorkflows bool
	repos            map[string]*Repo // lower-case "owner/name"
	repoOrder        []*Repo
	counts           map[string]int
	requests         []Request
	fails            map[string][]failure
	nextID           int64
	tokens           map[string]*Token
	apiTokens        []*Token // issued through create-installation-access-token
	installations    []*Installation
	deliveries       []*Delivery
	defaultToken     string
	treeLimit        int
	orgRulesets      map[string][]map[string]any
	rulesetsNeedPlan bool
	now              func() time.Time
	users            map[string]string // lower-case e-mail -> login (AddUser)
	lastPush         time.Time         // the latest pushed_at handed out
	limits           limiter
}

// New starts a fake server, closed when the test ends.
func New(t testing.TB, opts ...Option) *Fake {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Fatalf("githubfake: %v", err)
	}
	f := &Fake{
		t: t, spec: s,
		repos: map[string]*Repo{}, counts: map[string]int{}, fails: map[string][]failure{},
		tokens: map[string]*Token{}, nextID: 1000, now: time.Now, orgRulesets: map[string][]map[string]any{},
	}
	for _, o := range opts {
		o(f)
	}
	f.installations = []*Installation{{ID: 1, Account: "octo-org", AccountType: "Organization", Permissions: defaultInstallPerms()}}
	f.defaultToken = f.issueToken(1, nil, nil).Value
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the server's base URL (no trailing slash).
func (f *Fake) URL() string { return f.srv.URL }

// Client returns a go-github client for github.com mode, authenticated with the default
// installation token (every permission of installation 1).
func (f *Fake) Client() *github.Client { return f.ClientWithToken(f.DefaultToken()) }

// ClientWithToken returns a github.com-mode client that sends token ("" for none).
func (f *Fake) ClientWithToken(token string) *github.Client {
	c := github.NewClient(f.srv.Client())
	if token != "" {
		c = c.WithAuthToken(token)
	}
	u, _ := url.Parse(f.srv.URL + "/")
	c.BaseURL, c.UploadURL = u, u
	return c
}

// EnterpriseClient returns a client in GitHub Enterprise Server mode (/api/v3/ prefix).
func (f *Fake) EnterpriseClient() *github.Client {
	c, err := github.NewClient(f.srv.Client()).WithAuthToken(f.DefaultToken()).
		WithEnterpriseURLs(f.srv.URL+"/api/v3/", f.srv.URL+"/api/uploads/")
	if err != nil {
		f.t.Fatalf("githubfake: %v", err)
	}
	return c
}

// DefaultToken is an installation token of installation 1 with all of its permissions.
func (f *Fake) DefaultToken() string { return f.defaultToken }

// Count is how many requests matched operationID (e.g. "git/create-commit").
func (f *Fake) Count(operationID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[operationID]
}

// Requests returns every request received since the start or the last ResetCounts.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ResetCounts forgets recorded requests and counts (state is kept).
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[string]int{}
	f.requests = nil
}

// FailNext makes the next n requests of operationID answer status with the given headers
// and body instead of being served (body "" becomes a GitHub-style message). Use it for 500s,
// secondary rate limits (403 + retry-after), primary limits (x-ratelimit-remaining: 0 and
// x-ratelimit-reset) and 429. An unknown operationID fails the test. Note that go-github
// remembers a primary-limit reset per client and refuses later calls locally until then.
func (f *Fake) FailNext(operationID string, n int, status int, headers map[string]string, body string) {
	f.t.Helper()
	if _, ok := f.spec.ids[operationID]; !ok {
		f.t.Errorf("githubfake: FailNext: %q is not an operation of the subset", operationID)
		return
	}
	if body == "" {
		body = fmt.Sprintf(`{"message":%q,"documentation_url":"https://docs.github.com/rest"}`, http.StatusText(status))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < n; i++ {
		f.fails[operationID] = append(f.fails[operationID], failure{status, headers, body})
	}
}

// SetEnforceWorkflowsPermission switches the `workflows` permission check on or off.
func (f *Fake) SetEnforceWorkflowsPermission(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.enforceWorkflows = on
}

func (f *Fake) newID() int64 {
	f.nextID++
	return f.nextID
}

func unescapePath(s string) (string, error) { return url.PathUnescape(s) }

// reply is what an endpoint handler answers.
type reply struct {
	status int
	body   any // JSON-encoded unless []byte or nil
	header map[string]string
}

func jsonReply(status int, body any) reply { return reply{status: status, body: body} }

func errReply(status int, msg string) reply {
	return reply{status: status, body: map[string]any{
		"message": msg, "documentation_url": "https://docs.github.com/rest", "status": fmt.Sprint(status),
	}}
}

// call is one request being served.
type call struct {
	r      *http.Request
	op     *operation
	params map[string]string
	body   []byte
	token  *Token
	repo   *Repo
}

func (c *call) query(k string) string { return c.r.URL.Query().Get(k) }

func (c *call) decode(v any) error { return json.Unmarshal(c.body, v) }

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	path = strings.TrimPrefix(path, "/api/v3")
	if path == "" {
		path = "/"
	}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(path, codeloadPrefix) {
		f.serveCodeload(w, r, path)
		return
	}
	op, params := f.spec.match(r.Method, path)
	if r.Method == http.MethodPost && (path == "/graphql" || path == "/api/graphql") {
		op, params = graphqlOp, map[string]string{}
	}
	auth, tokVal := authKind(r.Header.Get("Authorization"))
	rec := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Auth: auth, Token: tokVal, At: f.now()}
	if op == nil {
		rec.Status = http.StatusNotFound
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		f.mu.Unlock()
		f.t.Errorf("githubfake: %s %s is not an operation of the OpenAPI subset", r.Method, path)
		writeReply(w, errReply(http.StatusNotFound, fmt.Sprintf("githubfake: %s %s is not an operation of the OpenAPI subset", r.Method, path)), f.now().Add(time.Hour))
		return
	}
	rec.OperationID, rec.Write = op.id, f.isWrite(op, body)
	f.mu.Lock()
	var inst int64
	if tok := f.tokens[tokVal]; tok != nil && auth == "installation-token" {
		inst = tok.InstallationID
	}
	rp, admitted := f.admit(inst, rec.Write)
	var faultStatus int
	var applyFirst, faulted bool
	if admitted && inst != 0 {
		faultStatus, applyFirst, faulted = f.serverFault(rec.Write)
	}
	f.mu.Unlock()
	if admitted {
		if !faulted || applyFirst {
			rp = f.handle(r, op, params, body, auth, tokVal)
		}
		if faulted {
			rp = faultReply(faultStatus)
		}
	}
	rec.Status = rp.status
	f.mu.Lock()
	if admitted {
		f.release(inst)
	}
	f.counts[op.id]++
	f.requests = append(f.requests, rec)
	reset := f.now().Add(time.Hour)
	f.mu.Unlock()
	writeReply(w, rp, reset)
}

// isWrite reports whether a request creates content: every method but GET
// and HEAD, except that a GraphQL request counts only when it holds a
// mutation.
func (f *Fake) isWrite(op *operation, body []byte) bool {
	if op.id == graphqlOperation {
		return graphqlIsMutation(body)
	}
	return op.write()
}

func (f *Fake) handle(r *http.Request, op *operation, params map[string]string, body []byte, auth, tokVal string) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &call{r: r, op: op, params: params, body: body, token: f.tokens[tokVal]}
	if f.requireAuth {
		appPath := strings.HasPrefix(op.template, "/app")
		if appPath && auth != "app-jwt" || !appPath && c.token == nil {
			return errReply(http.StatusUnauthorized, "Bad credentials")
		}
	}
	if q := f.fails[op.id]; len(q) > 0 {
		f.fails[op.id] = q[1:]
		return reply{status: q[0].status, body: []byte(q[0].body), header: q[0].headers}
	}
	if op.bodyPtr != "" && (len(bytes.TrimSpace(body)) > 0 || op.bodyReq) {
		if rp, ok := f.validate(op, body); !ok {
			return rp
		}
	}
	if owner, ok := params["owner"]; ok {
		c.repo = f.repos[strings.ToLower(owner+"/"+params["repo"])]
		if c.repo == nil {
			return errReply(http.StatusNotFound, "Not Found")
		}
	}
	if h, ok := handlers[op.id]; ok {
		return h(f, c)
	}
	return f.exampleReply(op, "")
}

func (f *Fake) validate(op *operation, body []byte) (reply, bool) {
	sch, err := f.spec.schema(op)
	if err != nil {
		f.t.Errorf("%v", err)
		return errReply(http.StatusInternalServerError, err.Error()), false
	}
	v, err := decodeJSON(body)
	if err == nil {
		err = sch.Validate(v)
	}
	if err != nil {
		f.t.Errorf("githubfake: %s %s: request body does not match the schema: %v", op.method, op.template, err)
		return errReply(http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error()), false
	}
	return reply{}, true
}

// exampleReply serves GitHub's example response for op.
func (f *Fake) exampleReply(op *operation, prefer string) reply {
	v, status, ok := f.spec.example(op.id, prefer)
	if !ok {
		status := op.okStatus
		if status == 0 {
			status = http.StatusOK
		}
		return reply{status: status}
	}
	return jsonReply(status, v)
}

func writeReply(w http.ResponseWriter, rp reply, reset time.Time) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4999")
	h.Set("X-RateLimit-Reset", fmt.Sprint(reset.Unix()))
	h.Set("X-GitHub-Request-Id", "FAKE:0001")
	keys := make([]string, 0, len(rp.header))
	for k := range rp.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Set(k, rp.header[k])
	}
	var b []byte
	switch x := rp.body.(type) {
	case nil:
	case []byte:
		b = x
	default:
		b, _ = json.Marshal(x)
	}
	if b != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write(b)
}

func authKind(header string) (kind, token string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || cred == "" {
		return "none", ""
	}
	switch {
	case strings.HasPrefix(cred, "ghs_") && (strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "bearer")):
		return "installation-token", cred
	case strings.EqualFold(scheme, "bearer") && strings.Count(cred, ".") == 2:
		return "app-jwt", ""
	}
	return "other", ""
}
