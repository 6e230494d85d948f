package signing

import (
	"bytes"
	"encoding/json"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/hardener/hardener/internal/repo"
)

// Ecosystems, in the order their workflows are added.
const (
	Go        = "go"
	NPM       = "npm"
	PyPI      = "pypi"
	Container = "container"
	Generic   = "generic"
)

// target is one release workflow to add.
type target struct {
	Ecosystem string
	Package   string // Go: ./path of the main package; PyPI: project name
	Binary    string // Go: binary name
	Context   string // containers: build context
	// GoReleaser is the repository's GoReleaser configuration (Go), or nil.
	GoReleaser *goReleaser
}

var (
	goPackageMain = regexp.MustCompile(`(?m)^package main\s*$`)
	safeName      = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	pyName        = regexp.MustCompile(`(?m)^\s*name\s*=\s*["']([A-Za-z0-9._-]+)["']`)
)

// detect finds the ecosystems the repository releases, or Generic.
func detect(snap *repo.Snapshot) ([]target, error) {
	paths, err := snap.Files()
	if err != nil {
		return nil, err
	}
	var out []target
	if snap.Has("go.mod") {
		if pkg := mainPackage(snap, paths); pkg != "" {
			bin := path.Base(pkg)
			if pkg == "." {
				bin = moduleBase(snap)
			}
			out = append(out, target{Ecosystem: Go, Package: "./" + strings.TrimPrefix(pkg, "./"), Binary: bin, GoReleaser: findGoReleaser(snap)})
			if pkg == "." {
				out[len(out)-1].Package = "."
			}
		}
	}
	if b, err := snap.ReadFile("package.json"); err == nil {
		var pkg struct {
			Name    string `json:"name"`
			Private bool   `json:"private"`
		}
		if json.Unmarshal(b, &pkg) == nil && pkg.Name != "" && !pkg.Private {
			out = append(out, target{Ecosystem: NPM, Package: pkg.Name})
		}
	}
	if b, err := snap.ReadFile("pyproject.toml"); err == nil && bytes.Contains(b, []byte("[project]")) || snap.Has("setup.py") {
		name := snap.Name
		if m := pyName.FindSubmatch(b); m != nil {
			name = string(m[1])
		}
		if name == "" {
			name = "PROJECT"
		}
		out = append(out, target{Ecosystem: PyPI, Package: name})
	}
	if snap.Has("Dockerfile") || snap.Has("Containerfile") {
		out = append(out, target{Ecosystem: Container, Context: "."})
	}
	if len(out) == 0 {
		out = append(out, target{Ecosystem: Generic})
	}
	return out, nil
}

// mainPackage returns the directory of the command to release: the root,
// cmd/<repository name>, or the first main package in the tree.
func mainPackage(snap *repo.Snapshot, paths []string) string {
	var dirs []string
	seen := map[string]bool{}
	for _, p := range paths {
		dir := path.Dir(p)
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || seen[dir] || skippedDir(dir) || !safeName.MatchString(dir) {
			continue
		}
		b, err := snap.ReadFile(p)
		if err != nil || !goPackageMain.Match(b) {
			continue
		}
		seen[dir] = true
		dirs = append(dirs, dir)
	}
	if len(dirs) == 0 {
		return ""
	}
	sort.Strings(dirs)
	for _, want := range []string{".", "cmd/" + snap.Name} {
		for _, d := range dirs {
			if d == want {
				return d
			}
		}
	}
	return dirs[0]
}

func skippedDir(dir string) bool {
	for _, seg := range strings.Split(dir, "/") {
		switch seg {
		case "testdata", "vendor", "examples", "example", "internal", "hack", "tools", "scripts":
			return true
		}
	}
	return false
}

// moduleBase is the last element of the module path, for the binary name.
func moduleBase(snap *repo.Snapshot) string {
	b, _ := snap.ReadFile("go.mod")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "module" {
			base := path.Base(strings.Trim(f[1], `"`))
			if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
				base = path.Base(path.Dir(strings.Trim(f[1], `"`)))
			}
			return base
		}
	}
	if snap.Name != "" {
		return snap.Name
	}
	return "app"
}
