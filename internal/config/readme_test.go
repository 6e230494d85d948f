package config

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

// readmeDefaults is the YAML block the README introduces as the defaults.
func readmeDefaults(t *testing.T) []byte {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	marker := []byte("TestReadmeDefaults")
	i := bytes.Index(readme, marker)
	if i < 0 {
		t.Fatal("README.md no longer marks its defaults block for TestReadmeDefaults")
	}
	rest := readme[i:]
	start := bytes.Index(rest, []byte("```yaml\n"))
	if start < 0 {
		t.Fatal("no ```yaml block after the README's marker")
	}
	rest = rest[start+len("```yaml\n"):]
	end := bytes.Index(rest, []byte("\n```"))
	if end < 0 {
		t.Fatal("the README's defaults block is not closed")
	}
	return rest[:end+1]
}

// generic turns a value into the maps, lists and scalars YAML gives, so
// that the README's block and Default() compare key by key.
func generic(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReadmeDefaults keeps the README's table of defaults true: the block
// must load as an organisation file, name every key the configuration has,
// and give each the value Default() gives.
func TestReadmeDefaults(t *testing.T) {
	block := readmeDefaults(t)
	if _, err := ParseOrg(block); err != nil {
		t.Fatalf("the README's defaults do not load: %v", err)
	}
	var got map[string]any
	if err := yaml.Unmarshal(block, &got); err != nil {
		t.Fatal(err)
	}
	want := generic(t, Default())
	want["repositories"] = generic(t, DefaultRepositories())
	want["dashboard"] = generic(t, DefaultDashboard())
	for key := range want {
		if _, ok := got[key]; !ok {
			t.Errorf("README's defaults lack %q", key)
		}
	}
	for key, v := range got {
		w, ok := want[key]
		if !ok {
			t.Errorf("README's defaults name %q, which the configuration does not have", key)
			continue
		}
		if !reflect.DeepEqual(v, w) {
			t.Errorf("README says %s: %v, Default() has %v", key, v, w)
		}
	}
}
