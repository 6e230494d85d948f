// Package templates holds the text the product writes for people: pull
// request bodies, check-run summaries, remediation explanations,
// SECURITY.md and workflow files. Everything is embedded in the binary.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var (
	once   sync.Once
	parsed *template.Template
	errT   error
)

var funcs = template.FuncMap{
	"join":  strings.Join,
	"lower": strings.ToLower,
	// Every string a repository controls goes through one of these.
	"md":        Text,
	"code":      Code,
	"codeblock": CodeBlock,
	"indent": func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
	},
}

// Render executes the named template (a file name such as
// "security.md.tmpl") with data.
func Render(name string, data any) (string, error) {
	once.Do(func() {
		parsed, errT = template.New("").Funcs(funcs).Option("missingkey=error").ParseFS(files, "*.tmpl")
	})
	if errT != nil {
		return "", errT
	}
	var b bytes.Buffer
	if err := parsed.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return b.String(), nil
}
