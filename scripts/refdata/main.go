// Command refdata regenerates internal/githubfake/testdata from a copy of
// GitHub's reference material (the OpenAPI description of the REST API,
// its example responses and example webhook payloads):
//
//	go run ./scripts/refdata [-from ../shared/reference]
//
// The OpenAPI subset loses its prose (`description`, `summary`,
// `externalDocs`); paths, parameters, schemas and examples stay. Example
// responses and webhook payloads are copied as they are. See
// internal/githubfake/testdata/NOTICE for where the material comes from.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	from := flag.String("from", filepath.Join("..", "shared", "reference"), "reference folder to copy from")
	to := flag.String("to", filepath.Join("internal", "githubfake", "testdata"), "testdata folder to write")
	flag.Parse()
	if err := run(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "refdata:", err)
		os.Exit(1)
	}
}

// specFile is the OpenAPI subset, under both folders.
const specFile = "openapi/api.github.com.hardening-subset.json"

func run(from, to string) error {
	if _, err := os.Stat(filepath.Join(from, specFile)); err != nil {
		return fmt.Errorf("no reference material at %s (%w); nothing regenerated", from, err)
	}
	for _, dir := range []string{"openapi", "webhooks"} {
		if err := os.RemoveAll(filepath.Join(to, dir)); err != nil {
			return err
		}
	}
	raw, err := os.ReadFile(filepath.Join(from, specFile))
	if err != nil {
		return err
	}
	spec, err := stripSpec(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", specFile, err)
	}
	if err := write(filepath.Join(to, specFile), spec); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(from, "openapi", "examples"), filepath.Join(to, "openapi", "examples"), nil); err != nil {
		return err
	}
	// The payload schemas are not read by any test.
	skip := func(rel string) bool { return strings.HasPrefix(rel, "_") }
	return copyTree(filepath.Join(from, "webhooks"), filepath.Join(to, "webhooks"), skip)
}

// stripSpec drops the prose of an OpenAPI document and writes it back
// indented, keys sorted, so that a regeneration diffs cleanly.
func stripSpec(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(strip(doc)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// payload keys hold data (examples, defaults, allowed values), whose
// "description" members are data too: they are kept as they are.
var payload = map[string]bool{"value": true, "example": true, "default": true, "enum": true, "const": true}

// strip removes prose: a "description" or "summary" whose value is text,
// and "externalDocs". A schema property or an example that happens to be
// called "description" has an object as its value and stays.
func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			if _, text := c.(string); text && (k == "description" || k == "summary") {
				continue
			}
			if k == "externalDocs" {
				continue
			}
			if payload[k] {
				out[k] = c
				continue
			}
			out[k] = strip(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = strip(c)
		}
		return out
	}
	return v
}

// copyTree copies every regular file under from to the same place under to,
// except those skip reports (paths relative to from, slash-separated).
func copyTree(from, to string, skip func(rel string) bool) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		if rel != "." && skip != nil && skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return errors.New(p + ": not a regular file")
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return write(filepath.Join(to, rel), b)
	})
}

func write(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
