package checks

import "testing"

func TestArtipacked(t *testing.T) {
	t.Parallel()
	runCases(t, RuleArtipacked, map[string]ruleCase{
		"workspace root with hidden files, old upload, globs": {files: map[string]string{wf: `on: push
jobs:
  root:
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with: {name: all, path: ., include-hidden-files: true}
  old-upload:
    steps:
      - uses: actions/checkout@v3
      - uses: actions/upload-artifact@v3
        with:
          path: |
            **/*
  sha-pins:
    steps:
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v4.2.2
      - uses: actions/upload-artifact@0123456789abcdef0123456789abcdef01234567 # v4.3.6
        with: {path: "${{ github.workspace }}"}
  checkout-dir:
    steps:
      - uses: actions/checkout@v4
        with: {path: src}
      - uses: actions/upload-artifact@v4
        with: {path: src/, include-hidden-files: true}
`}, want: []string{wf + ":10:15 medium", wf + ":17:15 medium", wf + ":22:15 medium", wf + ":5:15 medium"}},
		"safe shapes": {files: map[string]string{wf: `on: push
jobs:
  build-paths:
    steps:
      - uses: actions/checkout@v4
      - run: make
      - uses: actions/upload-artifact@v4
        with:
          path: |
            dist/
            build/*.tar.gz
            **/coverage/*.xml
            src/**/*.log
          include-hidden-files: true
  glob-over-file-types:
    steps:
      - uses: actions/checkout@v3
      - uses: actions/upload-artifact@v3
        with: {path: "**/*.xml"}
  hidden-excluded-by-default:
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with: {path: .}
  no-persist:
    steps:
      - uses: actions/checkout@v4
        with: {persist-credentials: false}
      - uses: actions/upload-artifact@v4
        with: {path: ., include-hidden-files: true}
  checkout-v6:
    steps:
      - uses: actions/checkout@v6
      - uses: actions/upload-artifact@v4
        with: {path: ., include-hidden-files: true}
  git-excluded:
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with:
          include-hidden-files: true
          path: |
            .
            !.git
  upload-before-checkout:
    steps:
      - uses: actions/upload-artifact@v4
        with: {path: ., include-hidden-files: true}
      - uses: actions/checkout@v4
  pages:
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-pages-artifact@v3
        with: {path: .}
  other-dir:
    steps:
      - uses: actions/checkout@v4
        with: {path: src}
      - uses: actions/upload-artifact@v4
        with: {path: out/, include-hidden-files: true}
`}, want: nil},
	})
}

func TestSecretsInherit(t *testing.T) {
	t.Parallel()
	runCases(t, RuleSecretsInherit, map[string]ruleCase{
		"remote, local and self-repository": {files: map[string]string{wf: `on: push
jobs:
  a:
    uses: o/r/.github/workflows/x.yml@v1
    secrets: inherit
  b:
    uses: ./.github/workflows/y.yml
    secrets: inherit
  c:
    uses: o/r/.github/workflows/x.yml@v1
    secrets: {T: '${{ secrets.T }}'}
  d:
    uses: $/.github/workflows/y.yml
    secrets: inherit
`}, want: []string{wf + ":14:14 low", wf + ":5:14 high", wf + ":8:14 low"}},
	})
}

func TestGlobTakesGit(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		glob, dir string
		want      bool
	}{
		"everything":             {"**", ".", true},
		"everything below":       {"**/*", ".", true},
		"star over the root":     {"*", ".", true},
		"dot-star":               {".*", ".", true},
		"git config by name":     {"**/config", ".", true},
		"file types":             {"**/coverage/*.xml", ".", false},
		"one level of xml":       {"*.xml", ".", false},
		"star over a checkout":   {"src/*", "src", true},
		"star takes the dir":     {"*", "src", true},
		"other directory":        {"docs/*", "src", false},
		"logs under a checkout":  {"src/**/*.log", "src", false},
		"any depth to its .git":  {"**/.git/**", "src", true},
		"dir of a deep checkout": {"a/*", "a/b", true},
	}
	for name, c := range cases {
		if got := globTakesGit(c.glob, c.dir); got != c.want {
			t.Errorf("%s: globTakesGit(%q, %q) = %v, want %v", name, c.glob, c.dir, got, c.want)
		}
	}
}
