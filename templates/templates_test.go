package templates

import (
	"strings"
	"testing"
)

func TestTemplatesParse(t *testing.T) {
	t.Parallel()
	if entries, _ := files.ReadDir("."); len(entries) < 5 {
		t.Fatalf("only %d templates embedded", len(entries))
	}
	got, err := Render("explanation.md.tmpl", map[string]string{
		"Title": "Pin actions", "What": "w", "Why": "y", "Undo": "u", "Docs": "https://docs.github.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Pin actions", "**How to undo.** u"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered explanation lacks %q:\n%s", want, got)
		}
	}
	if _, err := Render("no-such.tmpl", nil); err == nil {
		t.Error("unknown template rendered")
	}
	if _, err := Render("explanation.md.tmpl", map[string]string{"Title": "x"}); err == nil {
		t.Error("missing data should be an error, not <no value>")
	}
}
