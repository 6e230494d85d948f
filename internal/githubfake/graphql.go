package githubfake

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// graphqlOperation is the operation ID of POST /graphql (FailNext, Count).
const graphqlOperation = "graphql"

//go:embed testdata/graphql/schema.graphql
var graphqlSDL string

var (
	gqlOnce   sync.Once
	gqlSchema *ast.Schema
	gqlErr    error
)

func loadGraphQLSchema() (*ast.Schema, error) {
	gqlOnce.Do(func() {
		gqlSchema, gqlErr = gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: graphqlSDL})
	})
	return gqlSchema, gqlErr
}

// graphqlOp is the synthetic operation for the GraphQL endpoint, which the
// REST description does not have.
var graphqlOp = &operation{id: graphqlOperation, method: http.MethodPost, template: "/graphql", okStatus: http.StatusOK}

type graphqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// graphqlIsMutation reports whether a GraphQL request body holds a
// mutation (what GitHub counts as content creation).
func graphqlIsMutation(body []byte) bool {
	var req graphqlRequest
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	s, err := loadGraphQLSchema()
	if err != nil {
		return false
	}
	doc, errs := gqlparser.LoadQueryWithRules(s, req.Query, nil)
	if errs != nil {
		return false
	}
	op := doc.Operations.ForName(req.OperationName)
	return op != nil && op.Operation == ast.Mutation
}

// gqlError is one entry of a GraphQL answer's "errors".
type gqlError struct {
	Type    string `json:"type,omitempty"`
	Path    []any  `json:"path,omitempty"`
	Message string `json:"message"`
}

// serveGraphQL validates the document against the schema subset and runs it
// (mutations one after the other, as GitHub does). Called under f.mu.
func (f *Fake) serveGraphQL(c *call) reply {
	s, err := loadGraphQLSchema()
	if err != nil {
		f.t.Errorf("githubfake: GraphQL schema: %v", err)
		return errReply(http.StatusInternalServerError, err.Error())
	}
	var req graphqlRequest
	if err := json.Unmarshal(c.body, &req); err != nil || req.Query == "" {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	doc, errs := gqlparser.LoadQueryWithRules(s, req.Query, nil)
	if errs != nil {
		f.t.Errorf("githubfake: GraphQL document outside the schema subset: %v\n%s", errs, req.Query)
		return jsonReply(http.StatusOK, map[string]any{"errors": []gqlError{{Message: errs.Error()}}})
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return jsonReply(http.StatusOK, map[string]any{"errors": []gqlError{{Message: "no operation " + req.OperationName}}})
	}
	vars, err := validator.VariableValues(s, op, req.Variables)
	if err != nil {
		f.t.Errorf("githubfake: GraphQL variables: %v", err)
		return jsonReply(http.StatusOK, map[string]any{"errors": []gqlError{{Type: "INVALID_ARGUMENTS", Message: err.Error()}}})
	}
	if c.token == nil {
		return errReply(http.StatusUnauthorized, "This endpoint requires you to be authenticated.")
	}
	x := &gqlExec{f: f, c: c, doc: doc, vars: vars}
	root := gqlObject{typ: "Query", field: x.query}
	if op.Operation == ast.Mutation {
		root = gqlObject{typ: "Mutation", field: x.mutation}
	}
	data := x.selection(root, op.SelectionSet, nil)
	out := map[string]any{"data": data}
	if len(x.errs) > 0 {
		out["errors"] = x.errs
	}
	return jsonReply(http.StatusOK, out)
}

// gqlObject is a value with fields: its type name and how to resolve one
// field (nil, nil: null).
type gqlObject struct {
	typ   string
	field func(name string, args map[string]any) (any, error)
}

type gqlExec struct {
	f    *Fake
	c    *call
	doc  *ast.QueryDocument
	vars map[string]any
	errs []gqlError
}

// selection resolves a selection set on obj in document order.
func (x *gqlExec) selection(obj gqlObject, set ast.SelectionSet, path []any) map[string]any {
	out := map[string]any{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__typename" {
				out[s.Alias] = obj.typ
				continue
			}
			v, err := obj.field(s.Name, s.ArgumentMap(x.vars))
			p := append(append([]any{}, path...), s.Alias)
			if err != nil {
				x.errs = append(x.errs, gqlError{Type: "UNPROCESSABLE", Path: p, Message: err.Error()})
				out[s.Alias] = nil
				continue
			}
			out[s.Alias] = x.value(v, s.SelectionSet, p)
		case *ast.InlineFragment:
			if s.TypeCondition == "" || s.TypeCondition == obj.typ || x.implements(obj.typ, s.TypeCondition) {
				for k, v := range x.selection(obj, s.SelectionSet, path) {
					out[k] = v
				}
			}
		case *ast.FragmentSpread:
			if d := s.Definition; d != nil && (d.TypeCondition == obj.typ || x.implements(obj.typ, d.TypeCondition)) {
				for k, v := range x.selection(obj, d.SelectionSet, path) {
					out[k] = v
				}
			}
		}
	}
	return out
}

func (x *gqlExec) implements(typ, iface string) bool {
	s, _ := loadGraphQLSchema()
	for _, d := range s.GetImplements(s.Types[typ]) {
		if d.Name == iface {
			return true
		}
	}
	return false
}

func (x *gqlExec) value(v any, set ast.SelectionSet, path []any) any {
	switch o := v.(type) {
	case nil:
		return nil
	case gqlObject:
		return x.selection(o, set, path)
	case *gqlObject:
		if o == nil {
			return nil
		}
		return x.selection(*o, set, path)
	case []any:
		out := make([]any, len(o))
		for i, e := range o {
			out[i] = x.value(e, set, append(append([]any{}, path...), i))
		}
		return out
	}
	return v
}

func (x *gqlExec) query(name string, args map[string]any) (any, error) {
	if name == "nodes" {
		ids, _ := args["ids"].([]any)
		if len(ids) > 100 {
			return nil, fmt.Errorf("You may not ask for more than 100 nodes at once.")
		}
		out := make([]any, len(ids))
		for i, id := range ids {
			if r := x.repoByNodeID(fmt.Sprint(id)); r != nil {
				out[i] = x.repository(r)
			}
		}
		return out, nil
	}
	if name != "repository" {
		return nil, fmt.Errorf("field %s not served by the fake", name)
	}
	r := x.f.repos[strings.ToLower(fmt.Sprint(args["owner"])+"/"+fmt.Sprint(args["name"]))]
	if r == nil {
		return nil, fmt.Errorf("Could not resolve to a Repository with the name '%s/%s'.", args["owner"], args["name"])
	}
	return x.repository(r), nil
}

func (x *gqlExec) repository(r *Repo) gqlObject {
	return gqlObject{typ: "Repository", field: func(name string, args map[string]any) (any, error) {
		switch name {
		case "id":
			return nodeID("Repository", r.fullName()), nil
		case "databaseId":
			return r.ID, nil
		case "name":
			return r.Name, nil
		case "nameWithOwner":
			return r.fullName(), nil
		case "isArchived":
			return r.archived, nil
		case "defaultBranchRef":
			if _, ok := r.refs["refs/heads/"+r.defaultBranch]; !ok {
				return nil, nil
			}
			return x.ref(r, "refs/heads/"+r.defaultBranch), nil
		case "ref":
			q := fmt.Sprint(args["qualifiedName"])
			if !strings.HasPrefix(q, "refs/") {
				q = "refs/heads/" + q
			}
			if _, ok := r.refs[q]; !ok {
				return nil, nil
			}
			return x.ref(r, q), nil
		}
		return nil, fmt.Errorf("Repository.%s not served by the fake", name)
	}}
}

func (x *gqlExec) ref(r *Repo, full string) gqlObject {
	prefix := "refs/heads/"
	if strings.HasPrefix(full, "refs/tags/") {
		prefix = "refs/tags/"
	}
	return gqlObject{typ: "Ref", field: func(name string, _ map[string]any) (any, error) {
		switch name {
		case "id":
			return nodeID("Ref", r.fullName()+":"+full), nil
		case "name":
			return strings.TrimPrefix(full, prefix), nil
		case "prefix":
			return prefix, nil
		case "target":
			return x.commit(r, r.peel(r.refs[full])), nil
		}
		return nil, fmt.Errorf("Ref.%s not served by the fake", name)
	}}
}

func (x *gqlExec) commit(r *Repo, sha string) gqlObject {
	return gqlObject{typ: "Commit", field: func(name string, args map[string]any) (any, error) {
		switch name {
		case "id":
			return nodeID("Commit", sha), nil
		case "oid":
			return sha, nil
		case "abbreviatedOid":
			return sha[:7], nil
		case "message":
			return r.objects[sha].commit.Message, nil
		case "url":
			return x.f.URL() + "/" + r.fullName() + "/commit/" + sha, nil
		case "checkSuites":
			return x.checkSuites(r, sha, args), nil
		}
		return nil, fmt.Errorf("Commit.%s not served by the fake", name)
	}}
}

func (x *gqlExec) mutation(name string, args map[string]any) (any, error) {
	in, _ := args["input"].(map[string]any)
	switch name {
	case "createRef":
		return x.createRef(in)
	case "createCommitOnBranch":
		return x.createCommitOnBranch(in)
	case "createPullRequest":
		return x.createPullRequest(in)
	}
	return nil, fmt.Errorf("mutation %s not served by the fake", name)
}

func (x *gqlExec) repoByNodeID(id string) *Repo {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return nil
	}
	full, ok := strings.CutPrefix(string(raw), "Repository:")
	if !ok {
		return nil
	}
	return x.f.repos[strings.ToLower(full)]
}

func (x *gqlExec) createRef(in map[string]any) (any, error) {
	r := x.repoByNodeID(fmt.Sprint(in["repositoryId"]))
	if r == nil {
		return nil, fmt.Errorf("Could not resolve to a node with the global id of '%v'", in["repositoryId"])
	}
	name, oid := fmt.Sprint(in["name"]), fmt.Sprint(in["oid"])
	if !strings.HasPrefix(name, "refs/") || strings.Count(name, "/") < 2 {
		return nil, fmt.Errorf("Reference name must start with 'refs/' and have at least two slashes.")
	}
	if _, ok := r.refs[name]; ok {
		return nil, fmt.Errorf("A ref named \"%s\" already exists in the repository.", name)
	}
	if o := r.objects[oid]; o == nil {
		return nil, fmt.Errorf("Object does not exist")
	}
	r.refs[name] = oid
	return gqlObject{typ: "CreateRefPayload", field: func(f string, _ map[string]any) (any, error) {
		switch f {
		case "ref":
			return x.ref(r, name), nil
		case "clientMutationId":
			return in["clientMutationId"], nil
		}
		return nil, fmt.Errorf("CreateRefPayload.%s not served by the fake", f)
	}}, nil
}

// createCommitOnBranch commits file changes on top of a branch head that
// must be expectedHeadOid, as the App (signed, no custom author), and
// moves the branch.
func (x *gqlExec) createCommitOnBranch(in map[string]any) (any, error) {
	br, _ := in["branch"].(map[string]any)
	nwo, _ := br["repositoryNameWithOwner"].(string)
	branch, _ := br["branchName"].(string)
	if nwo == "" || branch == "" {
		return nil, fmt.Errorf("the fake resolves branches by repositoryNameWithOwner and branchName only")
	}
	r := x.f.repos[strings.ToLower(nwo)]
	if r == nil {
		return nil, fmt.Errorf("Could not resolve to a Repository with the name '%s'.", nwo)
	}
	ref := "refs/heads/" + branch
	head, ok := r.refs[ref]
	if !ok {
		return nil, fmt.Errorf("A ref named \"%s\" does not exist in the repository.", ref)
	}
	if exp := fmt.Sprint(in["expectedHeadOid"]); exp != head {
		return nil, fmt.Errorf("Expected branch to point to \"%s\" but it did not. Pull and try again.", exp)
	}
	files := map[string]fileEntry{}
	r.flatten(r.objects[head].commit.Tree, "", files)
	changes, _ := in["fileChanges"].(map[string]any)
	adds, _ := changes["additions"].([]any)
	dels, _ := changes["deletions"].([]any)
	for _, d := range dels {
		p := strings.Trim(fmt.Sprint(d.(map[string]any)["path"]), "/")
		if _, ok := files[p]; !ok {
			return nil, fmt.Errorf("A path was requested for deletion which does not exist as of commit oid `%s`", head)
		}
		delete(files, p)
	}
	for _, a := range adds {
		m := a.(map[string]any)
		p := strings.Trim(fmt.Sprint(m["path"]), "/")
		data, err := base64.StdEncoding.DecodeString(fmt.Sprint(m["contents"]))
		if err != nil {
			return nil, fmt.Errorf("contents of %s is not valid Base64", p)
		}
		mode := "100644"
		if old, ok := files[p]; ok {
			mode = old.Mode
		}
		files[p] = fileEntry{Mode: mode, SHA: r.putBlob(data)}
	}
	msg, _ := in["message"].(map[string]any)
	text := fmt.Sprint(msg["headline"])
	if body, ok := msg["body"].(string); ok && body != "" {
		text += "\n\n" + body
	}
	when := r.tick()
	gc := &gitCommit{Tree: r.buildTree(files), Parents: []string{head}, Message: text,
		Author: appBot, Committer: appBot, Verified: x.c.token != nil}
	gc.Author.When, gc.Committer.When = when, when
	sha := r.putCommit(gc)
	if rp, ok := x.f.checkWorkflows(&call{token: x.c.token, repo: r}, sha); !ok {
		var e struct {
			Message string `json:"message"`
		}
		b, _ := json.Marshal(rp.body)
		_ = json.Unmarshal(b, &e)
		return nil, fmt.Errorf("%s", e.Message)
	}
	r.refs[ref] = sha
	return gqlObject{typ: "CreateCommitOnBranchPayload", field: func(f string, _ map[string]any) (any, error) {
		switch f {
		case "commit":
			return x.commit(r, sha), nil
		case "ref":
			return x.ref(r, ref), nil
		case "clientMutationId":
			return in["clientMutationId"], nil
		}
		return nil, fmt.Errorf("CreateCommitOnBranchPayload.%s not served by the fake", f)
	}}, nil
}

// createPullRequest opens a pull request with the same checks as the REST
// endpoint.
func (x *gqlExec) createPullRequest(in map[string]any) (any, error) {
	r := x.repoByNodeID(fmt.Sprint(in["repositoryId"]))
	if r == nil {
		return nil, fmt.Errorf("Could not resolve to a node with the global id of '%v'", in["repositoryId"])
	}
	body, _ := json.Marshal(map[string]any{"title": in["title"], "head": in["headRefName"], "base": in["baseRefName"],
		"body": in["body"], "draft": in["draft"]})
	rp := pullsCreate(x.f, &call{r: x.c.r, body: body, token: x.c.token, repo: r})
	if rp.status != http.StatusCreated {
		b, _ := json.Marshal(rp.body)
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		return nil, fmt.Errorf("%s", e.Message)
	}
	p := r.pulls[len(r.pulls)-1]
	return gqlObject{typ: "CreatePullRequestPayload", field: func(f string, _ map[string]any) (any, error) {
		switch f {
		case "pullRequest":
			return gqlObject{typ: "PullRequest", field: func(f string, _ map[string]any) (any, error) {
				switch f {
				case "id":
					return nodeID("PullRequest", fmt.Sprintf("%s#%d", r.fullName(), p.Number)), nil
				case "number":
					return p.Number, nil
				case "title":
					return p.Title, nil
				case "url":
					return x.f.URL() + "/" + r.fullName() + fmt.Sprintf("/pull/%d", p.Number), nil
				}
				return nil, fmt.Errorf("PullRequest.%s not served by the fake", f)
			}}, nil
		case "clientMutationId":
			return in["clientMutationId"], nil
		}
		return nil, fmt.Errorf("CreatePullRequestPayload.%s not served by the fake", f)
	}}, nil
}

// checkSuites are the suites of a commit with their runs (the fake has one
// App, so appId filters nothing).
func (x *gqlExec) checkSuites(r *Repo, sha string, args map[string]any) gqlObject {
	filter, _ := args["filterBy"].(map[string]any)
	name, _ := filter["checkName"].(string)
	var suites []any
	seen := map[int64]bool{}
	for _, run := range r.checkRuns {
		if run.HeadSHA != sha || seen[run.SuiteID] || name != "" && run.Name != name {
			continue
		}
		seen[run.SuiteID] = true
		suite := run.SuiteID
		suites = append(suites, gqlObject{typ: "CheckSuite", field: func(f string, a map[string]any) (any, error) {
			switch f {
			case "id":
				return nodeID("CheckSuite", fmt.Sprint(suite)), nil
			case "checkRuns":
				rf, _ := a["filterBy"].(map[string]any)
				n := 0
				for _, cr := range r.checkRuns {
					if cr.SuiteID != suite {
						continue
					}
					if cn, _ := rf["checkName"].(string); cn != "" && cr.Name != cn {
						continue
					}
					if st, _ := rf["status"].(string); st != "" && !strings.EqualFold(st, cr.Status) {
						continue
					}
					n++
				}
				return gqlObject{typ: "CheckRunConnection", field: func(f string, _ map[string]any) (any, error) {
					if f == "totalCount" {
						return n, nil
					}
					return nil, fmt.Errorf("CheckRunConnection.%s not served by the fake", f)
				}}, nil
			}
			return nil, fmt.Errorf("CheckSuite.%s not served by the fake", f)
		}})
	}
	if first, ok := intArg(args["first"]); ok && first < len(suites) {
		suites = suites[:first]
	}
	return gqlObject{typ: "CheckSuiteConnection", field: func(f string, _ map[string]any) (any, error) {
		switch f {
		case "nodes":
			return suites, nil
		case "totalCount":
			return len(suites), nil
		}
		return nil, fmt.Errorf("CheckSuiteConnection.%s not served by the fake", f)
	}}
}

func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}
