package main

import (
	"fmt"
	"io"

	"github.com/hardener/hardener/internal/config"
)

// schemaCmd prints the JSON Schema of .github/hardener.yml, the same
// document as schema/hardener.schema.json, for editors without network.
func schemaCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: hardener schema")
		return 2
	}
	b, err := config.Schema()
	if err != nil {
		fmt.Fprintln(stderr, "hardener schema:", err)
		return 2
	}
	if _, err := stdout.Write(b); err != nil {
		return 2
	}
	return 0
}
