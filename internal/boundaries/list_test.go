package boundaries

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/hardener/hardener"

// pkg is one package of the module: its direct imports and everything it
// links, as paths relative to the module ("app/intake"), and what it links
// of other modules, as full import paths.
type pkg struct {
	path     string
	imports  []string
	deps     []string
	external []string
}

var (
	listOnce sync.Once
	listed   []pkg
	listErr  error
)

// packages lists every package of the module once per test binary.
func packages(t *testing.T) []pkg {
	t.Helper()
	listOnce.Do(func() {
		if listErr = watchSources(); listErr != nil {
			return
		}
		out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", module+"/...").CombinedOutput()
		if err != nil {
			listErr = fmt.Errorf("go list: %w\n%s", err, out)
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(line, "|")
			ourDeps, external := split(f[2])
			ourImports, _ := split(f[1])
			listed = append(listed, pkg{path: ours(f[0]), imports: ourImports, deps: ourDeps, external: external})
		}
	})
	if listErr != nil {
		t.Fatal(listErr)
	}
	return listed
}

// watchSources walks the module's folders. `go list` reads the sources in
// a process of its own, which go test's result cache does not see; the
// folders this process opens are part of the cache key (with the size and
// modification time of every file in them), so an edit anywhere in the
// module runs these tests again instead of answering from the cache.
func watchSources() error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir // no Go package lives there
		}
		return nil
	})
}

func ours(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

// split separates a comma-separated list of import paths into the
// module's (relative) and the others'.
func split(list string) (ourPaths, external []string) {
	for _, p := range strings.Split(list, ",") {
		switch {
		case p == "":
		case p == module || strings.HasPrefix(p, module+"/"):
			ourPaths = append(ourPaths, ours(p))
		default:
			external = append(external, p)
		}
	}
	return ourPaths, external
}

// under reports whether p is dir or below it.
func under(p string, dirs ...string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// forbid fails for every package matching which that links a package of
// the module matching banned.
func forbid(t *testing.T, which, banned func(string) bool, why string) {
	t.Helper()
	check(t, which, func(p pkg) []string { return p.deps }, banned, "links", why)
}

// forbidImports is forbid over direct imports only, for a rule about what
// a package itself uses when what it links is allowed to.
func forbidImports(t *testing.T, which, banned func(string) bool, why string) {
	t.Helper()
	check(t, which, func(p pkg) []string { return p.imports }, banned, "imports", why)
}

func check(t *testing.T, which func(string) bool, of func(pkg) []string, banned func(string) bool, verb, why string) {
	t.Helper()
	checked := 0
	for _, p := range packages(t) {
		if !which(p.path) {
			continue
		}
		checked++
		for _, d := range of(p) {
			if banned(d) {
				t.Errorf("%s %s %s: %s", p.path, verb, d, why)
			}
		}
	}
	if checked == 0 {
		t.Fatal("the rule matches no package")
	}
}
