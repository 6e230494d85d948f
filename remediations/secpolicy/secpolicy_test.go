package secpolicy

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
	"github.com/hardener/hardener/internal/golden"
	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/remediations"
)

func env(files fstest.MapFS, owner, name, contact string) *remediations.Env {
	snap := repo.New(files, "")
	snap.Owner, snap.Name = owner, name
	cfg := config.Default()
	cfg.SecurityContact = contact
	return &remediations.Env{Snapshot: snap, Config: cfg}
}

func TestApplyGolden(t *testing.T) {
	t.Parallel()
	tags := fstest.MapFS{
		".git/packed-refs":       {Data: []byte("# pack-refs with: peeled fully-peeled sorted\nabc refs/tags/v1.4.2\n^def\nabd refs/tags/v2.0.0-rc.1\nabe refs/heads/main\n")},
		".git/refs/tags/v1.10.0": {Data: []byte("abf\n")},
		".git/refs/tags/nightly": {Data: []byte("ab0\n")},
		"main.go":                {Data: []byte("package main\n")},
	}
	tests := map[string]struct {
		files       fstest.MapFS
		owner, name string
		contact     string
		opts        Options
		policy      config.SecurityPolicyConfig
	}{
		"advisories":       {files: fstest.MapFS{"README.md": {}}, owner: "acme", name: "widget"},
		"email-tags":       {files: tags, owner: "acme", name: "widget", contact: "security@acme.example"},
		"url-no-owner":     {files: fstest.MapFS{"README.md": {}}, contact: "https://acme.example/security"},
		"options-versions": {files: tags, owner: "acme", name: "widget", opts: Options{Versions: []string{"v3.1.0", "v3.2.1", "v2.9.9"}}},
		"configured-times": {files: fstest.MapFS{"README.md": {}}, owner: "acme", name: "widget",
			policy: config.SecurityPolicyConfig{AcknowledgeDays: 5, DisclosureDays: 90}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := env(tc.files, tc.owner, tc.name, tc.contact)
			e.Config.SecurityPolicy = tc.policy
			res, err := SecurityPolicy{Options: tc.opts}.Apply(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 1 || res.Changes[0].Path != "SECURITY.md" || res.Changes[0].Before != nil {
				t.Fatalf("changes = %+v", res.Changes)
			}
			golden.Check(t, name+".golden.md", res.Changes[0].After)
			if res.ID != "security-policy" || res.Title == "" || !strings.Contains(res.Explanation, "private vulnerability reporting") {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestExplanationGolden(t *testing.T) {
	t.Parallel()
	res, err := SecurityPolicy{}.Apply(context.Background(), env(fstest.MapFS{"a": {}}, "acme", "widget", ""))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "explanation.golden.md", []byte(res.Explanation))
}

func TestSkipped(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files fstest.MapFS
		org   bool
	}{
		"root":       {files: fstest.MapFS{"SECURITY.md": {}}},
		"github dir": {files: fstest.MapFS{".github/Security.MD": {}}},
		"docs dir":   {files: fstest.MapFS{"docs/security.rst": {}}},
		"org policy": {files: fstest.MapFS{"README.md": {}}, org: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := env(tc.files, "acme", "widget", "")
			e.OrgSecurityPolicy = tc.org
			if _, err := (SecurityPolicy{}).Apply(context.Background(), e); !errors.Is(err, remediations.ErrNothingToFix) {
				t.Errorf("err = %v, want ErrNothingToFix", err)
			}
		})
	}
}

func TestBadContact(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"call us", "ftp://x.example", "a@"} {
		if _, err := (SecurityPolicy{}).Apply(context.Background(), env(fstest.MapFS{"a": {}}, "", "", c)); err == nil {
			t.Errorf("contact %q accepted", c)
		}
	}
}

func TestFixesFinding(t *testing.T) {
	t.Parallel()
	e := env(fstest.MapFS{"README.md": {}}, "acme", "widget", "")
	e.Findings = checks.Scan(context.Background(), e.Snapshot, checks.Options{}).Findings
	res, err := SecurityPolicy{}.Apply(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, f := range e.Findings {
		if f.Rule == checks.RuleMissingSecurityPolicy {
			want = f.Fingerprint()
		}
	}
	if len(res.Fixed) != 1 || res.Fixed[0] != want {
		t.Errorf("Fixed = %v, want the missing-security-policy finding %s", res.Fixed, want)
	}
}

func TestSupported(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		tags        []string
		lines       string
		unsupported string
	}{
		"none":        {nil, "", ""},
		"no releases": {[]string{"nightly", "v2-beta"}, "", ""},
		"one line":    {[]string{"v1.2.0", "v1.2.1"}, "1.2.x", ""},
		"older":       {[]string{"v1.9.0", "v1.10.0", "1.2"}, "1.10.x", "< 1.10"},
		"prefixed":    {[]string{"cli/v0.3.1", "release-0.4"}, "0.4.x", "< 0.4"},
		"prerelease":  {[]string{"v1.0.0", "v2.0.0-rc.1"}, "1.0.x", ""},
	}
	for name, tc := range tests {
		lines, uns := supported(tc.tags)
		if strings.Join(lines, ",") != tc.lines || uns != tc.unsupported {
			t.Errorf("%s: supported = %v %q", name, lines, uns)
		}
	}
}

// Without `security-policy:` in the config, SECURITY.md commits the
// maintainers to nothing: no response time, no fix, no credit, no
// supported version; it still says how to report and what to include.
func TestPromisesNothing(t *testing.T) {
	t.Parallel()
	for _, contact := range []string{"", "security@acme.example", "https://acme.example/report"} {
		e := env(fstest.MapFS{".git/packed-refs": {Data: []byte("abc refs/tags/v1.2.0\n")}}, "acme", "widget", contact)
		res, err := SecurityPolicy{}.Apply(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(res.Changes[0].After)
		if m := commitment.FindString(doc); m != "" {
			t.Errorf("contact %q: SECURITY.md promises %q:\n%s", contact, m, doc)
		}
		for _, want := range []string{"Report them privately", "Please include", "proof of concept", "1.2.x"} {
			if !strings.Contains(doc, want) {
				t.Errorf("contact %q: SECURITY.md lacks %q", contact, want)
			}
		}
		if contact != "" && !strings.Contains(doc, strings.TrimPrefix(contact, "mailto:")) {
			t.Errorf("contact %q is not named", contact)
		}
	}
}

var commitment = regexp.MustCompile(`(?i)\bwithin \d|\b\d+ (business )?days\b|\bwe (will|acknowledge|send|fix|credit|publish|aim|support|release)\b|supported|:white_check_mark:`)
