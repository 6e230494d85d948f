package signing

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rhysd/actionlint"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/golden"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

func env(files fstest.MapFS) *remediations.Env {
	cfg := config.Default()
	cfg.Remediations[checks.FixSigning] = true
	snap := repo.New(files, "")
	snap.Owner, snap.Name = "acme", "widget"
	return &remediations.Env{Snapshot: snap, Config: cfg}
}

func apply(t *testing.T, files fstest.MapFS) *remediations.Result {
	t.Helper()
	res, err := Signing{}.Apply(context.Background(), env(files))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// lintClean fails the test when actionlint (no external linters) or the
// scanner's pinning and permission rules find anything in a workflow.
func lintClean(t *testing.T, files fstest.MapFS, c remediations.Change) {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(c.Path, c.After, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s: actionlint: %s", c.Path, e.Error())
	}
	// Findings the file had before (in an extended workflow) are not the
	// remediation's; it must add none.
	count := func(snap *repo.Snapshot) map[string]int {
		n := map[string]int{}
		for _, f := range checks.Scan(context.Background(), snap, checks.Options{}).Findings {
			if f.Primary.File == c.Path {
				n[f.Rule]++
			}
		}
		return n
	}
	before := count(repo.New(files, ""))
	after := count(repo.Overlay(repo.New(files, ""), map[string][]byte{c.Path: c.After}))
	for _, rule := range []string{checks.RuleUnpinnedUses, checks.RuleMissingPermissions, checks.RuleExcessivePermissions,
		checks.RuleTemplateInjection, checks.RuleArtipacked, checks.RuleInvalidWorkflow, checks.RuleDangerousTrigger} {
		if after[rule] > before[rule] {
			t.Errorf("%s: %d %s findings, %d before", c.Path, after[rule], rule, before[rule])
		}
	}
}

func TestNewWorkflows(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files fstest.MapFS
		paths []string
	}{
		"go": {files: fstest.MapFS{
			"go.mod":             {Data: []byte("module github.com/acme/widget/v2\n")},
			"cmd/widget/main.go": {Data: []byte("package main\n\nfunc main() {}\n")},
			"internal/x/main.go": {Data: []byte("package main\n")},
			"lib.go":             {Data: []byte("package widget\n")},
		}, paths: []string{".github/workflows/release.yml"}},
		"goreleaser": {files: fstest.MapFS{
			"go.mod":             {Data: []byte("module github.com/acme/widget\n")},
			"cmd/widget/main.go": {Data: []byte("package main\n")},
			".goreleaser.yml":    {Data: []byte("version: 2\nbuilds:\n  - main: ./cmd/widget\n")},
		}, paths: []string{".github/workflows/release.yml"}},
		"goreleaser signs": {files: fstest.MapFS{
			"go.mod":           {Data: []byte("module github.com/acme/widget\n")},
			"main.go":          {Data: []byte("package main\n")},
			".goreleaser.yaml": {Data: []byte("version: 2\ndist: out\nchecksum:\n  name_template: SHA256SUMS\nsigns:\n  - artifacts: checksum\n")},
		}, paths: []string{".github/workflows/release.yml"}},
		"npm":       {files: fstest.MapFS{"package.json": {Data: []byte(`{"name": "@acme/widget"}`)}}, paths: []string{".github/workflows/publish-npm.yml"}},
		"pypi":      {files: fstest.MapFS{"pyproject.toml": {Data: []byte("[project]\nname = \"acme-widget\"\n")}}, paths: []string{".github/workflows/publish-pypi.yml"}},
		"container": {files: fstest.MapFS{"Dockerfile": {Data: []byte("FROM scratch\n")}}, paths: []string{".github/workflows/container-image.yml"}},
		"generic":   {files: fstest.MapFS{"README.md": {}}, paths: []string{".github/workflows/sign-release.yml"}},
		"go and container": {files: fstest.MapFS{
			"go.mod":     {Data: []byte("module example.com/tool\n")},
			"main.go":    {Data: []byte("package main\n")},
			"Dockerfile": {Data: []byte("FROM scratch\n")},
		}, paths: []string{".github/workflows/container-image.yml", ".github/workflows/release.yml"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := apply(t, tc.files)
			var got []string
			for _, c := range res.Changes {
				got = append(got, c.Path)
				if c.Before != nil {
					t.Errorf("%s: Before set for a new file", c.Path)
				}
				lintClean(t, tc.files, c)
				golden.Check(t, strings.ReplaceAll(name, " ", "-")+"."+filepath.Base(c.Path), c.After)
			}
			if strings.Join(got, ",") != strings.Join(tc.paths, ",") {
				t.Errorf("paths = %v, want %v", got, tc.paths)
			}
			if len(res.Notes) != 0 {
				t.Errorf("notes = %+v", res.Notes)
			}
		})
	}
}

func TestExtendExisting(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in    string
		extra fstest.MapFS
	}{
		"npm-publish": {in: "npm-publish.in.yml", extra: fstest.MapFS{"package.json": {Data: []byte(`{"name": "w"}`)}}},
		"goreleaser": {in: "goreleaser.in.yml", extra: fstest.MapFS{"go.mod": {Data: []byte("module w\n")}, "main.go": {Data: []byte("package main\n")},
			".goreleaser.yaml": {Data: []byte("version: 2\nchecksum:\n  name_template: checksums.txt\n")}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := tc.extra
			p := ".github/workflows/" + tc.in
			files[p] = &fstest.MapFile{Data: golden.Read(t, tc.in)}
			res := apply(t, files)
			if len(res.Changes) != 1 || res.Changes[0].Path != p || res.Changes[0].Before == nil {
				t.Fatalf("changes = %+v; notes = %+v", res.Changes, res.Notes)
			}
			golden.Check(t, name+".golden.yml", res.Changes[0].After)
			lintClean(t, files, res.Changes[0])
			if !strings.Contains(res.Explanation, "no second publisher") {
				t.Errorf("explanation does not list the extended publisher:\n%s", res.Explanation)
			}
		})
	}
}

func TestExistingPublisherReported(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"Dockerfile":                        {Data: []byte("FROM scratch\n")},
		".github/workflows/docker-push.yml": {Data: golden.Read(t, "docker-push.in.yml")},
	}
	res, err := Signing{}.Apply(context.Background(), env(files))
	if !errors.Is(err, remediations.ErrNothingToFix) {
		t.Fatalf("err = %v, want ErrNothingToFix (no second publisher)", err)
	}
	if len(res.Notes) != 1 || res.Notes[0].File != ".github/workflows/docker-push.yml" || res.Notes[0].Line != 10 {
		t.Errorf("notes = %+v", res.Notes)
	}
}

// GoReleaser's default checksums name carries the version: a publisher
// whose checksums file cannot be named is reported, not extended with a
// path that would fail the release.
func TestGoReleaserChecksumsUnknown(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]string{
		"no configuration":     "",
		"default name":         "version: 2\n",
		"templated name":       "version: 2\nchecksum:\n  name_template: '{{ .ProjectName }}_checksums.txt'\n",
		"checksums turned off": "version: 2\nchecksum:\n  name_template: checksums.txt\n  disable: true\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files := fstest.MapFS{"go.mod": {Data: []byte("module w\n")}, "main.go": {Data: []byte("package main\n")},
				".github/workflows/goreleaser.in.yml": {Data: golden.Read(t, "goreleaser.in.yml")}}
			if cfg != "" {
				files[".goreleaser.yml"] = &fstest.MapFile{Data: []byte(cfg)}
			}
			res, err := Signing{}.Apply(context.Background(), env(files))
			if !errors.Is(err, remediations.ErrNothingToFix) || len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Message, "GoReleaser") {
				t.Errorf("err = %v, notes = %+v", err, res.Notes)
			}
		})
	}
}

func TestNothingToFix(t *testing.T) {
	t.Parallel()
	// Already attested: extending again would duplicate.
	extended := apply(t, fstest.MapFS{
		"package.json":                  {Data: []byte(`{"name": "w"}`)},
		".github/workflows/publish.yml": {Data: golden.Read(t, "npm-publish.in.yml")},
	}).Changes[0].After
	tests := map[string]struct {
		files   fstest.MapFS
		enabled bool
	}{
		"disabled":         {files: fstest.MapFS{"README.md": {}}},
		"already attested": {files: fstest.MapFS{"package.json": {Data: []byte(`{"name": "w"}`)}, ".github/workflows/publish.yml": {Data: extended}}, enabled: true},
		"private npm":      {files: fstest.MapFS{"package.json": {Data: []byte(`{"name": "w", "private": true}`)}, ".github/workflows/sign-release.yml": {Data: []byte("on: push\n")}}, enabled: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := env(tc.files)
			e.Config.Remediations[checks.FixSigning] = tc.enabled
			if _, err := (Signing{}).Apply(context.Background(), e); !errors.Is(err, remediations.ErrNothingToFix) {
				t.Errorf("err = %v, want ErrNothingToFix", err)
			}
		})
	}
}

func TestExplanationGolden(t *testing.T) {
	t.Parallel()
	res := apply(t, fstest.MapFS{"pyproject.toml": {Data: []byte("[project]\nname = \"w\"\n")}, "Dockerfile": {}})
	golden.Check(t, "explanation.golden.md", []byte(res.Explanation))
}

func TestPinsAreFull(t *testing.T) {
	t.Parallel()
	for _, p := range Pins {
		if len(p.SHA) != 40 || strings.Trim(p.SHA, "0123456789abcdef") != "" || !strings.HasPrefix(p.Tag, "v") || strings.Count(p.Tag, ".") != 2 {
			t.Errorf("pin %+v is not a full SHA with an exact tag", p)
		}
	}
}
