package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSchemaCommand: `hardener schema` prints the committed schema file.
func TestSchemaCommand(t *testing.T) {
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"schema"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "schema", "hardener.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Error("hardener schema differs from schema/hardener.schema.json")
	}
	if code := run(context.Background(), []string{"schema", "extra"}, &out, &errOut); code != 2 {
		t.Errorf("schema with an argument: exit %d, want 2", code)
	}
}
