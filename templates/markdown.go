package templates

import (
	"strings"
	"unicode/utf8"
)

// Escaping of strings a repository controls (file names, job names,
// workflow text quoted in messages, branch names, configuration values,
// GitHub's error messages echoing them) for the Markdown that GitHub
// renders: pull request bodies, check-run summaries, advisories, comments.
// Every such string goes through Text, Code or CodeBlock, in templates
// (as md, code and codeblock) and where Go code builds a line of Markdown.

// zwsp is a zero-width space written as an entity: it keeps "@name",
// "#123" and "https://" from becoming a mention, a reference or a link,
// and is invisible when rendered.
const zwsp = "&#8203;"

// textEscapes are the ASCII punctuation characters with a meaning
// anywhere in GitHub-flavoured Markdown inline text (code, emphasis,
// links and images, headings, table cells, strikethrough); each is escaped
// with a backslash. startEscapes matter only where a line starts (list
// items). <, > and & become entities instead (HTML, comments, autolinks).
const (
	textEscapes  = "\\`*_[]#|~"
	startEscapes = "-+="
)

// Text escapes s as inline Markdown text: it renders as s, on one line,
// and cannot start a block, open emphasis, a link, an image, HTML or a
// comment, split a table cell, mention someone or reference an issue.
func Text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case i == 0 && (r == ' ' || r == '\t'):
			// Indentation at the start of a line makes a code block.
			b.WriteString("&#32;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@' || r == '#':
			// "@name" mentions, "#12" and "owner/repo#12" reference.
			if r == '#' {
				b.WriteString(`\#`)
			} else {
				b.WriteByte('@')
			}
			b.WriteString(zwsp)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			// Bare URLs are links in GitHub's Markdown.
			b.WriteString(zwsp + ":")
		case (r == '.' || r == ')') && i > 0 && allDigits(s[:i]):
			// "1." or "1)" at the start of a line begins a list.
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '-' && i >= 2 && strings.EqualFold(s[i-2:i], "gh") && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// "GH-12" references an issue too.
			b.WriteString(`\-` + zwsp)
		case r < utf8.RuneSelf && (strings.ContainsRune(textEscapes, r) || i == 0 && strings.ContainsRune(startEscapes, r)):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if lower := strings.ToLower(s[i:min(i+4, len(s))]); lower == "www." {
				// www.example.com is a link too.
				b.WriteString(s[i:i+3] + zwsp)
				i += 3
				continue
			}
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Code renders s as an inline code span that shows s literally (on one
// line): the fence is longer than any run of backticks in s, and pipes are
// escaped so that the span can sit in a table cell (a pipe already escaped
// with a backslash is left as it is).
func Code(s string) string {
	s = oneLine(s)
	s = escapePipes(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// CodeBlock renders s as a fenced code block that shows it literally:
// the fence is longer than any run of backticks in s.
func CodeBlock(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "\n" + strings.TrimRight(s, "\n") + "\n" + fence
}

// oneLine replaces every line break (and other vertical space) with a
// space: a line break in inline text can start a new block.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
}

// escapePipes backslash-escapes every pipe not already escaped.
func escapePipes(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	var b strings.Builder
	backslashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '|' && backslashes%2 == 0 {
			b.WriteByte('\\')
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		b.WriteByte(c)
	}
	return b.String()
}

func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
