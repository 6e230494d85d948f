package updates

import "testing"

func TestCovers(t *testing.T) {
	t.Parallel()
	src := []byte(`version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    target-branch: release-2.x
    schedule: {interval: weekly}
  - package-ecosystem: gomod
    directories: ["/", "/tools/*"]
    schedule: {interval: weekly}
  - package-ecosystem: npm
    directory: ./web/
    schedule: {interval: weekly}
  - not an entry
`)
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 3 || f.Key == nil || f.Key.Line != 2 {
		t.Fatalf("entries %+v", f.Entries)
	}
	tests := map[string]struct {
		eco, dir string
		want     bool
	}{
		"actions at / on a release branch counts": {GitHubActions, "/", true},
		"gomod listed":            {"gomod", "/", true},
		"gomod by glob":           {"gomod", "/tools/lint", true},
		"gomod glob is one level": {"gomod", "/tools/a/b", false},
		"npm normalised":          {"npm", "/web", true},
		"npm elsewhere":           {"npm", "/", false},
		"docker absent":           {"docker", "/", false},
	}
	for name, tc := range tests {
		if got := f.Covered(tc.eco, tc.dir); got != tc.want {
			t.Errorf("%s: Covered(%s, %s) = %v", name, tc.eco, tc.dir, got)
		}
	}
	if !f.CoversActions() {
		t.Error("CoversActions = false")
	}
}

func TestParseShapes(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"empty": "", "comments": "# x\n", "list": "- a\n", "scalar updates": "updates: 3\n",
	} {
		f, err := Parse([]byte(src))
		if err != nil || f.CoversActions() {
			t.Errorf("%s: %v, covers %v", name, err, f != nil && f.CoversActions())
		}
	}
	if _, err := Parse([]byte("updates: [\n")); err == nil {
		t.Error("invalid YAML parsed")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"))
	f.Add([]byte("updates:\n  - &a {package-ecosystem: npm, directories: [*a]}\n"))
	f.Add([]byte("updates: !!map {}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Parse(src)
		if err == nil {
			_ = p.CoversActions()
		}
	})
}
