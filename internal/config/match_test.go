package config

import (
	"strings"
	"testing"
)

func TestExempt(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		patterns []string // nil: the defaults
		subject  string
		want     bool
	}{
		"default: SLSA reusable workflow at a tag": {
			subject: "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0",
			want:    true,
		},
		"default: SLSA workflow without ref": {
			subject: "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
			want:    true,
		},
		"default: SLSA action": {
			subject: "slsa-framework/slsa-github-generator/actions/generator/generic/create-base64-subjects-from-file@v2",
			want:    true,
		},
		"default: other repo of the same owner": {
			subject: "slsa-framework/slsa-verifier/actions/installer@v2",
			want:    false,
		},
		"default: lookalike repo name": {
			subject: "slsa-framework/slsa-github-generator-fork/x@v1",
			want:    false,
		},
		"default: ordinary action": {
			subject: "actions/checkout@v4",
			want:    false,
		},
		"star stays within an element": {
			patterns: []string{"actions/*"},
			subject:  "actions/checkout@v4",
			want:     true,
		},
		"trailing star covers every depth": {
			patterns: []string{"actions/*"},
			subject:  "actions/cache/restore@v4",
			want:     true,
		},
		"inner star does not cross a slash": {
			patterns: []string{"acme/*/build"},
			subject:  "acme/tools/ci/build@v1",
			want:     false,
		},
		"inner star within an element": {
			patterns: []string{"acme/*/build"},
			subject:  "acme/tools/build@v1",
			want:     true,
		},
		"double star": {
			patterns: []string{"acme/**/build"},
			subject:  "acme/tools/ci/build@v1",
			want:     true,
		},
		"exact with ref": {
			patterns: []string{"actions/checkout@v4"},
			subject:  "actions/checkout@v4",
			want:     true,
		},
		"pattern ref must match": {
			patterns: []string{"actions/checkout@v4"},
			subject:  "actions/checkout@v3",
			want:     false,
		},
		"exact without ref": {
			patterns: []string{"actions/checkout"},
			subject:  "actions/checkout@v4",
			want:     true,
		},
		"case-insensitive": {
			patterns: []string{"Actions/Checkout"},
			subject:  "actions/checkout@v4",
			want:     true,
		},
		"image without tag in pattern": {
			patterns: []string{"node"},
			subject:  "node:20",
			want:     true,
		},
		"image with digest": {
			patterns: []string{"ghcr.io/acme/*"},
			subject:  "ghcr.io/acme/builder:1.2@sha256:0123abcd",
			want:     true,
		},
		"image tag glob": {
			patterns: []string{"node:20*"},
			subject:  "node:20-alpine",
			want:     true,
		},
		"image tag mismatch": {
			patterns: []string{"node:18"},
			subject:  "node:20",
			want:     false,
		},
		"registry port is not a tag": {
			patterns: []string{"localhost:5000/app"},
			subject:  "localhost:5000/app:1",
			want:     true,
		},
		"docker scheme": {
			patterns: []string{"alpine"},
			subject:  "docker://alpine:3.20",
			want:     true,
		},
		"empty subject": {
			patterns: []string{"*"},
			subject:  "",
			want:     false,
		},
		"no patterns": {
			patterns: []string{},
			subject:  "slsa-framework/slsa-github-generator/x@v1",
			want:     false,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			if tc.patterns != nil {
				c.ExemptPatterns = tc.patterns
			}
			if got := c.Exempt(tc.subject); got != tc.want {
				t.Errorf("Exempt(%q) with %q = %v, want %v", tc.subject, c.ExemptPatterns, got, tc.want)
			}
		})
	}
}

func TestIgnoredPath(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		patterns []string
		path     string
		want     bool
	}{
		"default testdata":        {path: "testdata/ci.yml", want: true},
		"default vendor deep":     {path: "vendor/github.com/x/y/action.yml", want: true},
		"default node_modules":    {path: "node_modules/pkg/action.yml", want: true},
		"default workflow":        {path: ".github/workflows/ci.yml", want: false},
		"nested testdata is not":  {path: "pkg/testdata/x.yml", want: false},
		"default __fixtures__":    {path: "packages/a/__fixtures__/action.yml", want: true},
		"default fixtures":        {path: "fixtures/Dockerfile", want: true},
		"default nested fixtures": {path: "test/fixtures/wf/action.yml", want: true},
		"leading ./":              {path: "./testdata/x.yml", want: true},
		"double star anywhere":    {patterns: []string{"**/testdata/**"}, path: "pkg/a/testdata/x.yml", want: true},
		"double star at top":      {patterns: []string{"**/testdata/**"}, path: "testdata/x.yml", want: true},
		"single star one element": {patterns: []string{"docs/*.yml"}, path: "docs/a/b.yml", want: false},
		"single star matches":     {patterns: []string{"docs/*.yml"}, path: "docs/b.yml", want: true},
		"anchored slash":          {patterns: []string{"/examples/**"}, path: "examples/x/Dockerfile", want: true},
		"no patterns":             {patterns: []string{}, path: "testdata/ci.yml", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			if tc.patterns != nil {
				c.PathsIgnore = tc.patterns
			}
			if got := c.IgnoredPath(tc.path); got != tc.want {
				t.Errorf("IgnoredPath(%q) with %q = %v, want %v", tc.path, c.PathsIgnore, got, tc.want)
			}
		})
	}
}

// TestGlobDialect: `paths-ignore` and `exempt` are doublestar globs, the
// shell's dialect: `[!…]` negates a class and `{a,b}` lists alternatives;
// a malformed pattern is refused when the file is parsed.
func TestGlobDialect(t *testing.T) {
	t.Parallel()
	c := Default()
	c.PathsIgnore = []string{"{docs,examples}/**", "fixtures/[!k]*.yml", "a/**/b"}
	for p, want := range map[string]bool{
		"docs/x/ci.yml":        true,
		"examples/ci.yml":      true,
		"samples/ci.yml":       false,
		"fixtures/x.yml":       true,
		"fixtures/k.yml":       false,
		"a/b":                  true,
		"a/x/y/b":              true,
		"a/x/y/c":              false,
		".github/workflows/ci": false,
	} {
		if got := c.IgnoredPath(p); got != want {
			t.Errorf("IgnoredPath(%q) = %v, want %v", p, got, want)
		}
	}
	if MatchExempt([]string{"{actions,github}/*"}, "github/codeql-action/init@v3") != true {
		t.Error("alternatives in exempt do not match")
	}
	if _, err := Parse([]byte("paths-ignore: [\"docs/[\"]\n")); err == nil || !strings.Contains(err.Error(), "malformed glob") {
		t.Errorf("malformed glob accepted: %v", err)
	}
}
