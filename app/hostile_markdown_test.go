package app

import (
	"bytes"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// fakeMarker is a hardening-PR marker with a hash the App never computes.
var fakeMarker = "<!-- hardener:fixes=" + strings.Repeat("a", 64) + " -->"

// hostileName is a workflow file name (no slash: it stays a workflow)
// carrying a mention, an image, HTML, an issue reference, a line break and
// a fake marker on its own line.
var hostileName = ".github/workflows/x @admin ![i](https:evil.example) <img src=x> #4242 `code`\n" + fakeMarker + "\n- item.yml"

// unpinnedWorkflow has an unpinned action (a pin-actions fix).
const unpinnedWorkflow = "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"

// rawGFM renders like GitHub, raw HTML passed through as GitHub passes
// much of it (comments, img, details), so that injected HTML shows.
var rawGFM = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

var (
	codeRe = regexp.MustCompile(`(?s)<code>.*?</code>`)
	tagsRe = regexp.MustCompile(`<[^>]*>`)
	hrefRe = regexp.MustCompile(`<a href="([^"]*)"`)
)

// assertInert renders md and fails on anything the repository's strings
// could have added: images, links out of the App's own, HTML comments
// other than the App's marker, and mentions or references outside code.
func assertInert(t *testing.T, what, md, marker string) {
	t.Helper()
	var b bytes.Buffer
	if err := rawGFM.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<img") {
		t.Errorf("%s renders an image:\n%s", what, md)
	}
	for _, m := range hrefRe.FindAllStringSubmatch(out, -1) {
		if strings.Contains(m[1], "evil") || strings.HasPrefix(m[1], "javascript") {
			t.Errorf("%s renders a link to %s", what, m[1])
		}
	}
	if n := strings.Count(out, "<!--"); n > 1 || n == 1 && !strings.Contains(out, marker) {
		t.Errorf("%s carries %d HTML comment(s) besides the App's marker:\n%s", what, n, md)
	}
	text := html.UnescapeString(tagsRe.ReplaceAllString(codeRe.ReplaceAllString(out, ""), ""))
	if strings.Contains(text, "@admin") || regexp.MustCompile(`#4242`).MatchString(text) {
		t.Errorf("%s mentions or references outside code:\n%s", what, text)
	}
}

// File names go into the PR body, the check-run summary and the draft
// advisory: an attacker-named workflow must add no mention, image, link,
// HTML or fake marker, and a fake marker must not make the App rewrite its
// pull request on every run.
func TestHostileMarkdownInjection(t *testing.T) {
	files := workflowFiles()
	files[hostileName] = unpinnedWorkflow
	files[strings.Replace(hostileName, "x @admin", "y @admin", 1)] = injectable
	// No permissions: the permissions fix names this file and its job.
	files[strings.Replace(hostileName, "x @admin", "z @admin", 1)] = "on: push\njobs:\n  \"@admin ![j](https:evil.example)\":\n" +
		"    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
	h := newHarness(t, files)
	h.install()
	prs := h.repo.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests = %d", len(prs))
	}
	body := prs[0].Body
	if !strings.Contains(body, "@admin") {
		t.Fatalf("the hostile file is not in the PR body:\n%s", body)
	}
	assertInert(t, "PR body", body, "<!-- hardener:fixes="+bodyHash(body)+" -->")
	if bodyHash(body) == strings.Repeat("a", 64) || bodyHash(body) == "" {
		t.Errorf("the App reads the fake marker (or none): %q", bodyHash(body))
	}
	assertInert(t, "check-run summary", h.repo.CheckRuns()[0].Summary, "")
	for _, raw := range h.repo.Advisories() {
		var a struct{ Description string }
		_ = json.Unmarshal(raw, &a)
		assertInert(t, "advisory", a.Description, advisoryMarker)
	}

	// Nothing changed: the next run finds its PR current and writes nothing.
	h.fake.ResetCounts()
	if err := h.refresh(); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.fake.Requests() {
		if r.Write {
			t.Errorf("a run with nothing new wrote %s %s: the App read a marker that is not its own", r.Method, r.OperationID)
		}
	}
}

// The same names in a pull request's check: the new suppressions it lists
// and the files it could not read are escaped too.
func TestHostileMarkdownInjectionInPRCheck(t *testing.T) {
	h := newHarness(t, workflowFiles())
	run := h.openPR(1, "names", map[string]string{hostileName: ignoreEveryLine(unpinnedWorkflow)})
	if !strings.Contains(run.Summary, "@admin") {
		t.Fatalf("the hostile file is not in the summary:\n%s", run.Summary)
	}
	assertInert(t, "pull request summary", run.Summary, "")
}

// A configuration error quotes the file: it stays in its code block.
func TestHostileMarkdownInConfigError(t *testing.T) {
	files := workflowFiles()
	files[".github/hardener.yml"] = "mode: pr\nfail-on: \"```\\n# @admin ![i](https:evil.example) <!-- x -->\"\n"
	h := newHarness(t, files)
	h.install()
	run := h.repo.CheckRuns()[0]
	if run.Conclusion != "failure" || !strings.Contains(run.Summary, "@admin") {
		t.Fatalf("run = %s\n%s", run.Conclusion, run.Summary)
	}
	assertInert(t, "config error summary", run.Summary, "")
}
