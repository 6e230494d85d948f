package templates

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// gfm renders like GitHub (tables, autolinks, strikethrough, task lists);
// mentions and issue references, which GitHub adds, are checked on the
// rendered text.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

func render(t testing.TB, md string) string {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var (
	tagRe       = regexp.MustCompile(`<(/?)([a-zA-Z0-9!-]+)[^>]*>`)
	mentionRe   = regexp.MustCompile(`@[A-Za-z0-9]`)
	referenceRe = regexp.MustCompile(`#[0-9]|(?i)gh-[0-9]`)
)

// textOf strips the tags of rendered HTML and decodes its entities, the
// zero-width spaces removed.
func textOf(h string) string {
	return strings.ReplaceAll(html.UnescapeString(tagRe.ReplaceAllString(h, "")), "\u200b", "")
}

// tagsOf lists the HTML elements of rendered HTML.
func tagsOf(h string) []string {
	var out []string
	for _, m := range tagRe.FindAllStringSubmatch(h, -1) {
		out = append(out, m[2])
	}
	return out
}

var hostileNames = []string{
	".github/workflows/ci.yml",
	"x @admin ![img](https://evil.example/p.png) <!-- hardener:fixes=" + strings.Repeat("a", 64) + " -->.yml",
	"a`b``c.yml",
	"`leading and trailing`",
	"line\nbreak\r\n# heading\n- item\n> quote",
	"| cell | split |",
	"already \\| escaped",
	"<img src=x onerror=alert(1)>",
	"[link](javascript:alert(1)) and <https://evil.example> and https://evil.example/x and www.evil.example",
	"see #12, GH-34 and octo/repo#5; mail a@b.example",
	"**bold** _em_ ~~gone~~ ~one~",
	"1. numbered", "2) also", "- dash", "+ plus", "=== setext", "x\n===",
	"\\`escaped backtick\\`",
	"&amp; &lt;b&gt; &#64;admin",
	"",
	" ",
	"trailing backslash \\",
	"[x]: https://evil.example/ref",
	"- [ ] task",
}

func TestHostileText(t *testing.T) {
	t.Parallel()
	for _, s := range hostileNames {
		checkText(t, s)
	}
}

func checkText(t testing.TB, s string) {
	t.Helper()
	out := render(t, "- "+Text(s)+"\n")
	for _, tag := range tagsOf(out) {
		if tag != "ul" && tag != "li" {
			t.Errorf("Text(%q) renders a <%s>: %s", s, tag, out)
		}
	}
	want := strings.Join(strings.Fields(oneLine(s)), " ")
	if got := strings.Join(strings.Fields(textOf(out)), " "); got != want {
		t.Errorf("Text(%q) renders as %q, want %q", s, got, want)
	}
	if text := strings.ReplaceAll(html.UnescapeString(tagRe.ReplaceAllString(out, "")), "\u200b", "|"); mentionRe.MatchString(text) || referenceRe.MatchString(text) {
		t.Errorf("Text(%q) renders a mention or reference: %q", s, text)
	}
}

func TestHostileCode(t *testing.T) {
	t.Parallel()
	for _, s := range hostileNames {
		// In a table cell: one cell, one code span, showing s.
		out := render(t, "| A | B |\n|---|---|\n| "+Code(s)+" | end |\n")
		if n := strings.Count(out, "<td>"); n != 2 {
			t.Errorf("Code(%q) splits the table row into %d cells: %s", s, n, out)
		}
		if tags := strings.Join(tagsOf(out), " "); strings.Contains(tags, " a ") || strings.Contains(tags, "img") || strings.Count(tags, "code") != 2 {
			t.Errorf("Code(%q) renders %s", s, out)
		}
		cell := out[strings.Index(out, "<code>")+len("<code>") : strings.Index(out, "</code>")]
		want := oneLine(strings.ReplaceAll(s, `\|`, "|"))
		if s == "" || strings.TrimSpace(s) == "" {
			continue
		}
		if got := html.UnescapeString(cell); got != want && got != strings.TrimSpace(want) {
			t.Errorf("Code(%q) shows %q, want %q", s, got, want)
		}
	}
}

func TestHostileCodeBlock(t *testing.T) {
	t.Parallel()
	for _, s := range append(hostileNames, "```\n# out\n```", "~~~\nx\n~~~") {
		out := render(t, "before\n\n"+CodeBlock(s)+"\n\nafter\n")
		if !strings.Contains(out, "<p>after</p>") || strings.Count(out, "<pre>") != 1 {
			t.Errorf("CodeBlock(%q) does not stay one block: %s", s, out)
		}
		inner := out[strings.Index(out, "<pre>") : strings.Index(out, "</pre>")+len("</pre>")]
		want := strings.TrimRight(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s), "\n")
		if got := strings.TrimRight(html.UnescapeString(tagRe.ReplaceAllString(inner, "")), "\n"); got != want {
			t.Errorf("CodeBlock(%q) shows %q", s, got)
		}
	}
}

// FuzzText: whatever the string, it renders as itself and nothing more.
func FuzzText(f *testing.F) {
	for _, s := range hostileNames {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, '\u200b') {
			t.Skip()
		}
		checkText(t, s)
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// FuzzCode: whatever the string, its code span stays one table cell and
// renders no link, image or HTML.
func FuzzCode(f *testing.F) {
	for _, s := range hostileNames {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) || strings.ContainsRune(s, 0) {
			t.Skip()
		}
		out := render(t, "| A | B |\n|---|---|\n| "+Code(s)+" | end |\n")
		if n := strings.Count(out, "<td>"); n != 2 {
			t.Errorf("Code(%q) splits the table row into %d cells: %s", s, n, out)
		}
		for _, tag := range tagsOf(out) {
			switch tag {
			case "table", "thead", "tbody", "tr", "th", "td", "code":
			default:
				t.Errorf("Code(%q) renders a <%s>: %s", s, tag, out)
			}
		}
	})
}
