package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/golden"
)

// schemaFile is the committed schema, relative to this package.
var schemaFile = filepath.Join("..", "..", filepath.FromSlash(SchemaPath))

// TestSchemaFileUpToDate fails when the committed schema drifts from the
// Config struct; `go test ./internal/config -run TestSchemaFileUpToDate
// -update` rewrites it.
func TestSchemaFileUpToDate(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the Config struct: run go test ./internal/config -run TestSchemaFileUpToDate -update", SchemaPath)
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	// Compiling validates the schema against the draft-07 meta-schema.
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// schemaAccepts validates a YAML document against the schema the way an
// editor does: as the JSON value the YAML stands for.
func schemaAccepts(t *testing.T, s *jsonschema.Schema, doc string) error {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("test document does not parse: %v\n%s", err, doc)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("test document has no JSON form: %v\n%s", err, doc)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// TestSchemaAgreesWithLoader feeds the same documents to the schema and to
// the strict loaders: the schema accepts exactly what the organisation
// loader accepts, and the repository loader the same minus the keys only
// the organisation file may hold.
func TestSchemaAgreesWithLoader(t *testing.T) {
	t.Parallel()
	s := compileSchema(t)
	docs := map[string]string{}
	b, err := os.ReadFile(filepath.Join("testdata", "schema-cases.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range strings.Split(string(b), "\n---\n") {
		docs[fmt.Sprintf("case %d", i+1)] = d
	}
	// Every key the schema knows, with its default value and with an
	// unknown key beside it.
	for path, def := range leaves(t) {
		docs["default "+path] = nest(path, def)
		parent, _ := cutLast(path)
		docs["unknown beside "+path] = nest(strings.TrimPrefix(parent+".x-unknown", "."), true)
	}
	accepted := 0
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			schemaErr := schemaAccepts(t, s, doc)
			_, orgErr := ParseOrg([]byte(doc))
			_, repoErr := Parse([]byte(doc))
			if (schemaErr == nil) != (orgErr == nil) {
				t.Errorf("schema and loader disagree on\n%s\nschema: %v\nloader: %v", doc, schemaErr, orgErr)
			}
			orgKey := false
			for _, o := range orgOnly {
				orgKey = orgKey || strings.HasPrefix(doc, o.key+":") || strings.Contains(doc, "\n"+o.key+":")
			}
			if wantRepo := orgErr == nil && !orgKey; (repoErr == nil) != wantRepo {
				t.Errorf("repository loader: %v, want accepted=%v\n%s", repoErr, wantRepo, doc)
			}
			if orgErr == nil {
				accepted++
			}
		})
	}
	if accepted == 0 || accepted == len(docs) {
		t.Errorf("%d of %d documents accepted: the cases must include both", accepted, len(docs))
	}
}

// leaves maps the dotted path of every scalar or list key in the schema to
// its default.
func leaves(t *testing.T) map[string]any {
	t.Helper()
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	var walk func(props map[string]any, prefix string)
	walk = func(props map[string]any, prefix string) {
		for k, v := range props {
			p := v.(map[string]any)
			if sub, ok := p["properties"].(map[string]any); ok {
				walk(sub, prefix+k+".")
				continue
			}
			out[prefix+k] = p["default"]
		}
	}
	walk(root["properties"].(map[string]any), "")
	return out
}

// nest writes value at a dotted path as a YAML document.
func nest(path string, value any) string {
	var v any = value
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		v = map[string]any{parts[i]: v}
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cutLast(path string) (string, string) {
	i := strings.LastIndex(path, ".")
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// TestSchemaDescribesEveryField: every struct field has a description and
// every description names a field.
func TestSchemaDescribesEveryField(t *testing.T) {
	t.Parallel()
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var walk func(props map[string]any, prefix string)
	walk = func(props map[string]any, prefix string) {
		for k, v := range props {
			p := v.(map[string]any)
			if p["description"] != nil {
				seen = append(seen, prefix+k)
			}
			if sub, ok := p["properties"].(map[string]any); ok && prefix+k != "remediations" {
				walk(sub, prefix+k+".")
			}
		}
	}
	walk(root["properties"].(map[string]any), "")
	for path := range fields {
		if !slices.Contains(seen, path) {
			t.Errorf("fields[%q] describes no field of Config", path)
		}
	}
	for _, k := range []string{"$schema", "$id", "title", "description"} {
		if root[k] == nil || root[k] == "" {
			t.Errorf("the schema has no %s", k)
		}
	}
}
