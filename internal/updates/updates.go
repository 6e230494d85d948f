// Package updates reads the `updates:` entries of a Dependabot
// configuration and answers one question for both the
// missing-dependency-updates rule and the dependabot remediation: does an
// entry already cover this ecosystem and directory? Sharing the answer is
// what keeps `fix` from adding an entry the scan did not ask for.
package updates

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// GitHubActions is the ecosystem of workflow and action pins.
const GitHubActions = "github-actions"

// Paths are where Dependabot reads its configuration, in the order it
// prefers them.
var Paths = []string{".github/dependabot.yml", ".github/dependabot.yaml"}

// Entry is one item of `updates:`.
type Entry struct {
	Ecosystem    string
	TargetBranch string
	// Directories are `directory:` and the items of `directories:`, as
	// written.
	Directories []string
	// Node is the item's mapping node.
	Node *yaml.Node
}

// File is a parsed configuration: the nodes an editor needs and the entries.
type File struct {
	Root    *yaml.Node // the top-level node, or nil for an empty file
	Key     *yaml.Node // the `updates` key, or nil
	Updates *yaml.Node // its value, or nil
	Entries []Entry
}

// Parse reads a configuration. A file that is empty or only comments has
// no entries; YAML that does not parse is an error. Items that are not
// mappings are skipped.
func Parse(src []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	var n yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&n); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	f = &File{}
	if len(n.Content) == 0 {
		return f, nil
	}
	f.Root = n.Content[0]
	if f.Root.Kind != yaml.MappingNode {
		return f, nil
	}
	for i := 0; i+1 < len(f.Root.Content); i += 2 {
		if f.Root.Content[i].Value == "updates" {
			f.Key, f.Updates = f.Root.Content[i], f.Root.Content[i+1]
		}
	}
	if f.Updates == nil || f.Updates.Kind != yaml.SequenceNode {
		return f, nil
	}
	for _, item := range f.Updates.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		e := Entry{Node: item}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i].Value, item.Content[i+1]
			switch k {
			case "package-ecosystem":
				e.Ecosystem = v.Value
			case "target-branch":
				e.TargetBranch = v.Value
			case "directory":
				e.Directories = append(e.Directories, v.Value)
			case "directories":
				for _, c := range v.Content {
					e.Directories = append(e.Directories, c.Value)
				}
			}
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// Covers reports whether the entry updates ecosystem in dir (written as
// NormDir does). The target branch does not matter: an entry that updates
// a release branch shows the maintainers chose how updates reach the
// repository, and a second entry beside it would be noise. For
// github-actions, `/.github/workflows` is the same as `/`.
func (e Entry) Covers(ecosystem, dir string) bool {
	if e.Ecosystem != ecosystem {
		return false
	}
	for _, d := range e.Directories {
		d = NormDir(d)
		if ecosystem == GitHubActions && d == "/.github/workflows" {
			d = "/"
		}
		if d == dir || strings.ContainsAny(d, "*?[") && doublestar.MatchUnvalidated(strings.TrimPrefix(d, "/"), strings.TrimPrefix(dir, "/")) {
			return true
		}
	}
	return false
}

// Covered reports whether any entry covers ecosystem in dir.
func (f *File) Covered(ecosystem, dir string) bool {
	for _, e := range f.Entries {
		if e.Covers(ecosystem, dir) {
			return true
		}
	}
	return false
}

// CoversActions reports whether the file updates the workflows' and root
// actions' pins: a github-actions entry for `/`. This is the condition of
// the missing-dependency-updates rule and of the remediation alike.
func (f *File) CoversActions() bool { return f.Covered(GitHubActions, "/") }

// NormDir writes a directory the way Dependabot config does: "/" for the
// root, "/a/b" otherwise.
func NormDir(d string) string {
	d = strings.TrimSpace(d)
	if d == "." || strings.HasPrefix(d, "./") {
		d = d[1:]
	}
	return path.Clean("/" + strings.Trim(d, "/"))
}
