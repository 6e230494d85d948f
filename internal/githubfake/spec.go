package githubfake

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Where the OpenAPI subset and GitHub's example responses are in reference.
const (
	specFile    = "testdata/openapi/api.github.com.hardening-subset.json"
	examplesDir = "testdata/openapi/examples"
)

// operation is one method + path template of the OpenAPI subset.
type operation struct {
	id       string
	method   string
	template string
	re       *regexp.Regexp
	params   []string
	literal  int    // literal characters in the template, to prefer specific matches
	bodyPtr  string // JSON pointer to the requestBody schema, or ""
	bodyReq  bool
	okStatus int // first documented 2xx status
}

// write reports whether the operation changes state on GitHub.
func (o *operation) write() bool { return o.method != http.MethodGet && o.method != http.MethodHead }

type spec struct {
	ops []*operation
	ids map[string]*operation

	mu       sync.Mutex // guards compiler and schemas; the compiler is not safe for concurrent use
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema

	examples sync.Map       // file name -> []byte (the "value" member)
	named    map[string]any // components/examples, for examples that are $refs
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specErr    error
)

// loadSpec loads and prepares the OpenAPI subset once per process.
func loadSpec() (*spec, error) {
	specOnce.Do(func() {
		loadedSpec, specErr = readSpec()
		if specErr == nil {
			loadedSpec.ids[graphqlOperation] = graphqlOp
		}
	})
	return loadedSpec, specErr
}

// reference holds the test data copied from GitHub's API description and
// webhook documentation (see testdata/NOTICE; scripts/refdata regenerates
// it). It is embedded so that the fake works from any package's tests.
//
//go:embed testdata/openapi testdata/webhooks
var reference embed.FS

func readSpec() (*spec, error) {
	raw, err := reference.ReadFile(specFile)
	if err != nil {
		return nil, fmt.Errorf("githubfake: reading OpenAPI subset: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("githubfake: parsing OpenAPI subset: %w", err)
	}
	doc = convertNullable(doc)
	patchSchemas(doc)
	s := &spec{ids: map[string]*operation{}, schemas: map[string]*jsonschema.Schema{}}
	s.compiler = jsonschema.NewCompiler()
	// OpenAPI 3.0 schemas are close to draft 4 (boolean exclusiveMinimum, $ref siblings ignored).
	s.compiler.DefaultDraft(jsonschema.Draft4)
	if err := s.compiler.AddResource("https://fake.invalid/api.json", doc); err != nil {
		return nil, fmt.Errorf("githubfake: %w", err)
	}
	if comps, ok := doc.(map[string]any)["components"].(map[string]any); ok {
		s.named, _ = comps["examples"].(map[string]any)
	}
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	for tmpl, item := range paths {
		for method, v := range item.(map[string]any) {
			op, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			o := &operation{id: op["operationId"].(string), method: strings.ToUpper(method), template: tmpl}
			o.re, o.params, o.literal = compileTemplate(tmpl)
			if rb, ok := op["requestBody"].(map[string]any); ok {
				o.bodyReq, _ = rb["required"].(bool)
				if c, ok := rb["content"].(map[string]any); ok {
					if _, ok := c["application/json"]; ok {
						o.bodyPtr = "/paths/" + escapePointer(tmpl) + "/" + method +
							"/requestBody/content/application~1json/schema"
					}
				}
			}
			if rs, ok := op["responses"].(map[string]any); ok {
				var codes []int
				for k := range rs {
					if n, err := strconv.Atoi(k); err == nil && (n < 300 || n == 302) {
						codes = append(codes, n)
					}
				}
				sort.Ints(codes)
				if len(codes) > 0 {
					o.okStatus = codes[0]
				}
			}
			s.ops = append(s.ops, o)
			s.ids[o.id] = o
		}
	}
	// Most literal characters first: /commits/{ref}/check-runs wins over /commits/{ref}.
	sort.Slice(s.ops, func(i, j int) bool {
		if s.ops[i].literal != s.ops[j].literal {
			return s.ops[i].literal > s.ops[j].literal
		}
		return s.ops[i].template < s.ops[j].template
	})
	return s, nil
}

// patchSchemas widens schemas where GitHub accepts more than the OpenAPI description says.
func patchSchemas(doc any) {
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	// add-labels: the description allows "an array of labels directly", and go-github sends one;
	// the handler answers it with 422 so that clients send the documented object.
	if item, ok := paths["/repos/{owner}/{repo}/issues/{issue_number}/labels"].(map[string]any); ok {
		if sch, ok := jsonPath(item, "post", "requestBody", "content", "application/json", "schema").(map[string]any); ok {
			if one, ok := sch["oneOf"].([]any); ok {
				sch["oneOf"] = append(one, map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": "string"}})
			}
		}
	}
	patchProtectionChecks(paths)
}

func jsonPath(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// greedy parameters may contain slashes (refs, file paths, branch names).
var greedy = map[string]bool{"ref": true, "path": true, "branch": true, "head": true, "base": true, "tag": true}

var paramRe = regexp.MustCompile(`\{([a-z_]+)\}`)

func compileTemplate(tmpl string) (*regexp.Regexp, []string, int) {
	var b strings.Builder
	var params []string
	literal := 0
	b.WriteString("^")
	last := 0
	for _, m := range paramRe.FindAllStringSubmatchIndex(tmpl, -1) {
		lit := tmpl[last:m[0]]
		literal += len(lit)
		b.WriteString(regexp.QuoteMeta(lit))
		name := tmpl[m[2]:m[3]]
		params = append(params, name)
		switch {
		case name == "base":
			b.WriteString("(.+?)")
		case greedy[name]:
			b.WriteString("(.+)")
		default:
			b.WriteString("([^/]+)")
		}
		last = m[1]
	}
	literal += len(tmpl[last:])
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String()), params, literal
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// match finds the operation for a method and escaped path.
func (s *spec) match(method, escPath string) (*operation, map[string]string) {
	for _, o := range s.ops {
		if o.method != method {
			continue
		}
		m := o.re.FindStringSubmatch(escPath)
		if m == nil {
			continue
		}
		params := map[string]string{}
		for i, name := range o.params {
			v := m[i+1]
			if u, err := unescapePath(v); err == nil {
				v = u
			}
			params[name] = v
		}
		return o, params
	}
	return nil, nil
}

// schema returns the compiled requestBody schema of op (cached per process).
func (s *spec) schema(o *operation) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[o.id]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile("https://fake.invalid/api.json#" + o.bodyPtr)
	if err != nil {
		return nil, fmt.Errorf("githubfake: compiling request schema of %s: %w", o.id, err)
	}
	s.schemas[o.id] = sch
	return sch, nil
}

// convertNullable rewrites OpenAPI 3.0 `nullable: true` into JSON Schema.
func convertNullable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = convertNullable(c)
		}
		if n, ok := x["nullable"].(bool); ok && n {
			delete(x, "nullable")
			if e, ok := x["enum"].([]any); ok {
				x["enum"] = append(e, nil)
			}
			if t, ok := x["type"].(string); ok {
				x["type"] = []any{t, "null"}
				return x
			}
			return map[string]any{"anyOf": []any{x, map[string]any{"type": "null"}}}
		}
		return x
	case []any:
		for i, c := range x {
			x[i] = convertNullable(c)
		}
	}
	return v
}

// example returns GitHub's example response for op, decoded afresh, and its status.
// prefer picks an example name (e.g. "response-if-content-is-a-file") when several exist.
func (s *spec) example(opID string, prefer string) (any, int, bool) {
	prefix := strings.ReplaceAll(opID, "/", "__") + "."
	names, _ := fs.Glob(reference, path.Join(examplesDir, prefix+"*.json"))
	sort.Strings(names)
	best := ""
	for _, n := range names {
		base := path.Base(n)
		rest := strings.TrimPrefix(base, prefix)
		if strings.HasPrefix(rest, "request.") || strings.Contains(rest, "application_vnd") {
			continue
		}
		if prefer != "" && strings.Contains(rest, prefer) {
			best = base
			break
		}
		if best == "" {
			best = base
		}
	}
	if best == "" {
		return nil, 0, false
	}
	status, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(best, prefix), ".", 2)[0])
	raw, ok := s.examples.Load(best)
	if !ok {
		b, err := reference.ReadFile(path.Join(examplesDir, best))
		if err != nil {
			return nil, 0, false
		}
		var wrap struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &wrap); err != nil {
			return nil, 0, false
		}
		var ref struct {
			Ref string `json:"$ref"`
		}
		if json.Unmarshal(wrap.Value, &ref) == nil && ref.Ref != "" {
			if ex, ok := s.named[strings.TrimPrefix(ref.Ref, "#/components/examples/")].(map[string]any); ok {
				wrap.Value, _ = json.Marshal(ex["value"])
			}
		}
		raw, _ = s.examples.LoadOrStore(best, []byte(wrap.Value))
	}
	var v any
	if err := json.Unmarshal(raw.([]byte), &v); err != nil {
		return nil, 0, false
	}
	return v, status, true
}
