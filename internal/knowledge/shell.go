package knowledge

import (
	"regexp"
	"strings"
)

// heredocRe finds a here-document operator and its terminator.
var heredocRe = regexp.MustCompile(`<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?`)

// commands splits a shell script into its simple commands, the way the
// shell reads it closely enough to find which programs run: separators
// (`;`, `&`, `|`, newlines, parentheses, command substitutions) split
// only outside quotes; `${…}` expansions and `${{ … }}` expressions become
// one word; comments and here-document bodies are dropped. Text inside
// `$(…)` and backticks is a command of its own, even within double quotes.
func commands(script string) []string {
	var out []string
	var cur strings.Builder
	// alts is where a run of commands split only by `|` starts: if a `)`
	// closes nothing, that run was a case pattern (`a|b)`), not commands.
	alts := -1
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
		alts = -1
	}
	// stack holds what to return to when a `$(`, backtick or `(` closes:
	// the enclosing command's text so far, and whether it was inside a
	// double-quoted string.
	type open struct {
		outer    string
		inDouble bool
		back     bool
	}
	var stack []open
	inDouble := false
	enter := func(back bool) {
		stack = append(stack, open{outer: cur.String() + "VAR", inDouble: inDouble, back: back})
		cur.Reset()
		inDouble = false
	}
	leave := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		flush()
		cur.WriteString(top.outer)
		inDouble = top.inDouble
	}
	backOpen := func() bool { return len(stack) > 0 && stack[len(stack)-1].back }
	var heredocs []string
	n := len(script)
	for i := 0; i < n; i++ {
		c := script[i]
		switch {
		case c == '\\' && i+1 < n:
			if script[i+1] != '\n' {
				cur.WriteByte(script[i+1])
			}
			i++
		case c == '$' && strings.HasPrefix(script[i:], "${{"):
			end := strings.Index(script[i:], "}}")
			if end < 0 {
				end = n - i - 2
			}
			cur.WriteString(strings.Join(strings.Fields(script[i:i+end+2]), ""))
			i += end + 1
		case c == '$' && i+1 < n && script[i+1] == '{':
			i = skipBraces(script, i+1)
			cur.WriteString("VAR")
		case c == '$' && i+1 < n && script[i+1] == '(':
			if i+2 < n && script[i+2] == '(' { // arithmetic
				end := strings.Index(script[i:], "))")
				if end < 0 {
					end = n - i - 2
				}
				cur.WriteString("VAR")
				i += end + 1
				continue
			}
			enter(false)
			i++
		case inDouble:
			switch c {
			case '"':
				inDouble = false
			case '`':
				enter(true)
			default:
				cur.WriteByte(quoted(c))
			}
		case c == '\'':
			end := strings.IndexByte(script[i+1:], '\'')
			if end < 0 {
				end = n - i - 1
			}
			for _, q := range []byte(script[i+1 : i+1+end]) {
				cur.WriteByte(quoted(q))
			}
			i += end + 1
		case c == '"':
			inDouble = true
		case c == '`' && backOpen():
			leave()
		case c == '`':
			enter(true)
		case c == '#' && (cur.Len() == 0 || isBlank(script[i-1])):
			for i+1 < n && script[i+1] != '\n' {
				i++
			}
		case c == '(' && strings.HasSuffix(cur.String(), "="):
			// An array assignment: words, not commands.
			end := strings.IndexByte(script[i:], ')')
			if end < 0 {
				end = n - i - 1
			}
			cur.WriteString("ARRAY")
			i += end
		case c == '(':
			flush()
			stack = append(stack, open{})
		case c == ')' && len(stack) == 0:
			cur.Reset() // a case pattern, not a command
			if alts >= 0 {
				out = out[:alts]
			}
			alts = -1
		case c == ')':
			leave()
		case c == '&' && (strings.HasSuffix(cur.String(), ">") || strings.HasSuffix(cur.String(), "<") || i+1 < n && script[i+1] == '>'):
			cur.WriteByte(c) // a redirection: 2>&1, >&2, &>file
		case (c == '&' || c == '|') && inTest(cur.String()):
			cur.WriteByte(c) // && and || inside [[ … ]] are operators of the test
		case c == '|' && !(i+1 < n && script[i+1] == '|'):
			start := alts
			if start < 0 {
				start = len(out)
			}
			flush()
			alts = start
		case c == ';' || c == '&' || c == '|':
			flush()
		case c == '\n' || c == '\r':
			line := cur.String()
			flush()
			for _, m := range heredocRe.FindAllStringSubmatch(line, -1) {
				heredocs = append(heredocs, m[1])
			}
			for len(heredocs) > 0 && i+1 < n {
				// Skip the body, up to the terminator line.
				j := i + 1
				for j < n {
					e := strings.IndexByte(script[j:], '\n')
					if e < 0 {
						e = n - j
					}
					body := strings.TrimSpace(script[j : j+e])
					j += e + 1
					if body == heredocs[0] {
						break
					}
				}
				heredocs = heredocs[1:]
				i = j - 1
			}
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// skipBraces returns the index of the `}` closing the `{` at i.
func skipBraces(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// inTest reports whether a command is an open `[[ … ]]` test.
func inTest(cmd string) bool {
	t := strings.TrimSpace(cmd)
	for _, kw := range []string{"if ", "while ", "until ", "! "} {
		t = strings.TrimSpace(strings.TrimPrefix(t, kw))
	}
	return strings.HasPrefix(t, "[[") && !strings.Contains(t, "]]")
}

// quoted keeps a quoted blank from splitting words: it becomes a unit
// separator, which words turns back into a space.
func quoted(c byte) byte {
	if c == ' ' || c == '\t' || c == '\n' {
		return '\x1f'
	}
	return c
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
