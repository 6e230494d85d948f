package dependabot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/golden"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

// tree is a repository with manifests of several ecosystems.
func tree() fstest.MapFS {
	return fstest.MapFS{
		"go.mod":                          {Data: []byte("module x\n")},
		"tools/go.mod":                    {Data: []byte("module x/tools\n")},
		"web/package.json":                {Data: []byte("{}")},
		"web/node_modules/a/package.json": {Data: []byte("{}")},
		"Dockerfile":                      {Data: []byte("FROM alpine\n")},
		"py/requirements-dev.txt":         {},
		"internal/testdata/go.mod":        {},
		".github/workflows/ci.yml":        {Data: []byte("on: push\n")},
	}
}

func env(files fstest.MapFS, ecosystems ...string) *remediations.Env {
	cfg := config.Default()
	cfg.Dependabot.Ecosystems = append([]string{"github-actions"}, ecosystems...)
	return &remediations.Env{Snapshot: repo.New(files, ""), Config: cfg}
}

func TestApplyGolden(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in         string // testdata input; "" for a repository without config
		path       string
		ecosystems []string
		cooldown   int // dependabot.cooldown-days; 0 the default, -1 for 0
	}{
		"new":             {path: ".github/dependabot.yml", ecosystems: []string{"gomod", "docker", "npm", "pip", "cargo"}},
		"new-actions":     {path: ".github/dependabot.yml"},
		"comments":        {in: "comments.in.yml", path: ".github/dependabot.yaml"},
		"crlf":            {in: "crlf.in.yml", path: ".github/dependabot.yml", ecosystems: []string{"npm", "docker"}},
		"directories":     {in: "directories.in.yml", path: ".github/dependabot.yml", ecosystems: []string{"gomod"}},
		"other-directory": {in: "other-directory.in.yml", path: ".github/dependabot.yml"},
		"cooldown-30":     {path: ".github/dependabot.yml", ecosystems: []string{"gomod"}, cooldown: 30},
		"no-cooldown":     {in: "no-updates.in.yml", path: ".github/dependabot.yml", cooldown: -1},
		"no-updates":      {in: "no-updates.in.yml", path: ".github/dependabot.yml"},
		"empty-updates":   {in: "empty-updates.in.yml", path: ".github/dependabot.yml"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := tree()
			var before []byte
			if tc.in != "" {
				before = golden.Read(t, tc.in)
				files[tc.path] = &fstest.MapFile{Data: before}
			}
			e := env(files, tc.ecosystems...)
			switch {
			case tc.cooldown > 0:
				e.Config.Dependabot.CooldownDays = tc.cooldown
			case tc.cooldown < 0:
				e.Config.Dependabot.CooldownDays = 0
			}
			e.Findings = checks.Scan(context.Background(), e.Snapshot, checks.Options{}).Findings
			res, err := Dependabot{}.Apply(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 1 || res.Changes[0].Path != tc.path || string(res.Changes[0].Before) != string(before) {
				t.Fatalf("changes = %+v", res.Changes)
			}
			after := res.Changes[0].After
			golden.Check(t, name+".golden.yml", after)
			want := 0
			for _, f := range e.Findings {
				if f.Rule == checks.RuleMissingDependencyUpd {
					want++
				}
			}
			if len(res.Fixed) != want {
				t.Errorf("Fixed = %v, want the missing-dependency-updates finding", res.Fixed)
			}
			var cfg struct {
				Version int `yaml:"version"`
				Updates []struct {
					Ecosystem string `yaml:"package-ecosystem"`
					Schedule  struct {
						Interval string `yaml:"interval"`
					} `yaml:"schedule"`
				} `yaml:"updates"`
			}
			if err := yaml.Unmarshal(after, &cfg); err != nil {
				t.Fatalf("result does not parse: %v", err)
			}
			for _, u := range cfg.Updates {
				if u.Ecosystem == "" || u.Schedule.Interval == "" {
					t.Errorf("incomplete entry %+v", u)
				}
			}
			// Extending never drops a byte of the original.
			if before != nil && !contains(after, before) {
				t.Errorf("original bytes were not kept")
			}
			snap := repo.Overlay(e.Snapshot, map[string][]byte{tc.path: after})
			for _, f := range checks.Scan(context.Background(), snap, checks.Options{}).Findings {
				if f.Rule == checks.RuleMissingDependencyUpd {
					t.Errorf("still reported: %s", f.Message)
				}
			}
		})
	}
}

// contains reports whether every line of before appears in after, in order.
func contains(after, before []byte) bool {
	rest := string(after)
	for _, l := range strings.SplitAfter(string(before), "\n") {
		i := strings.Index(rest, l)
		if i < 0 {
			return false
		}
		rest = rest[i+len(l):]
	}
	return true
}

func TestExplanationGolden(t *testing.T) {
	t.Parallel()
	res, err := Dependabot{}.Apply(context.Background(), env(tree(), "gomod"))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "explanation.golden.md", []byte(res.Explanation))
}

func TestNothingToFix(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files fstest.MapFS
		notes int
	}{
		"has github-actions":  {files: fstest.MapFS{".github/dependabot.yml": {Data: golden.Read(t, "has-actions.in.yml")}}},
		"target-branch":       {files: fstest.MapFS{".github/dependabot.yml": {Data: golden.Read(t, "target-branch.in.yml")}}},
		"renovate":            {files: fstest.MapFS{"renovate.json": {Data: []byte("{}")}}},
		"renovate in package": {files: fstest.MapFS{"package.json": {Data: []byte(`{"renovate": {}}`)}}},
		"flow updates":        {files: fstest.MapFS{".github/dependabot.yml": {Data: golden.Read(t, "flow.in.yml")}}, notes: 1},
		"not a mapping":       {files: fstest.MapFS{".github/dependabot.yml": {Data: []byte("- a\n")}}, notes: 1},
		"invalid yaml":        {files: fstest.MapFS{".github/dependabot.yml": {Data: []byte("updates: [\n")}}, notes: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Dependabot{}.Apply(context.Background(), env(tc.files))
			if !errors.Is(err, remediations.ErrNothingToFix) {
				t.Fatalf("err = %v, want ErrNothingToFix", err)
			}
			if n := 0; res != nil {
				n = len(res.Notes)
				if n != tc.notes {
					t.Errorf("notes = %+v", res.Notes)
				}
			} else if tc.notes != 0 {
				t.Errorf("no notes, want %d", tc.notes)
			}
		})
	}
}

func TestNormDir(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{".": "/", "/": "/", "./a/": "/a", ".github": "/.github", "a//b": "/a/b", "": "/"} {
		if got := normDir(in); got != want {
			t.Errorf("normDir(%q) = %q, want %q", in, got, want)
		}
	}
}
