package dashboard

import (
	"strconv"
	"strings"
)

// text escapes s for inline Markdown in the issue: it shows as s, on one
// line, and cannot open emphasis, code, links, images, HTML or a comment,
// split a table cell, start a block, mention someone or reference an issue.
// (A project-wide helper for repository-controlled text belongs in
// templates/; this one is for the dashboard until they are unified.)
func text(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@':
			// A zero-width space after @ keeps a mention from forming.
			b.WriteString("@&#8203;")
		case r == '#':
			b.WriteString(`\#&#8203;`)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteString("&#8203;:") // bare URLs become links
		case strings.ContainsRune("\\`*_[]|~!()", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case i == 0 && strings.ContainsRune("-+=>. ", r):
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		case r < 0x20 || r == 0x7f:
			// Control characters show as nothing useful.
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "www.", "www&#8203;.")
}

// safeURL returns u when it is an http(s) URL that can sit in a Markdown
// link unescaped, "" otherwise.
func safeURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	if strings.ContainsAny(u, " ()<>[]\"'`\\\n\r\t") {
		return ""
	}
	return u
}

func itoa(i int) string { return strconv.Itoa(i) }
