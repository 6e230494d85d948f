package checks

import (
	"regexp"
	"strings"
)

// shellWrite is a value a `run:` script writes to $GITHUB_OUTPUT or
// $GITHUB_ENV: the text that gives the value and where it is in the
// script.
type shellWrite struct {
	name   string // lower case
	text   string
	offset int // byte offset of the line in the script
}

var (
	// writeName finds `name=` or `name<<DELIM` on a line that writes a file.
	writeName = regexp.MustCompile(`(?:^|[\s"'({;,])([A-Za-z_][A-Za-z0-9_.-]*)(=|<<)\s*['"]?([A-Za-z_][A-Za-z0-9_]*)?`)
	setOutput = regexp.MustCompile(`::set-output\s+name=([A-Za-z_][A-Za-z0-9_.-]*)::(.*)`)
	// shellVar finds variable references: $X, ${X}, $env:X, %X%,
	// os.environ["X"], os.getenv("X"), process.env.X.
	shellVar = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)|\$env:([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%|` +
		`environ(?:\.get)?[\[(]\s*["']([A-Za-z_][A-Za-z0-9_]*)|getenv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)|process\.env\.([A-Za-z_][A-Za-z0-9_]*)`)
	// shellAssign finds `X=value` and `export X=value` at the start of a line.
	shellAssign = regexp.MustCompile(`^\s*(?:export\s+|local\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
)

// shellWrites lists what a script writes to the file named by the
// environment variable target (GITHUB_OUTPUT or GITHUB_ENV). A line counts
// when it names the file, sits in a `{ …; } >> $FILE` group or between
// `name<<DELIM` and DELIM; `::set-output` counts for GITHUB_OUTPUT.
func shellWrites(script, target string) []shellWrite {
	if !strings.Contains(script, target) && (target != "GITHUB_OUTPUT" || !strings.Contains(script, "::set-output")) {
		return nil
	}
	lines := splitLines(script)
	var out []shellWrite
	// Lines of `{ … }` groups that are redirected to the file.
	inGroup := map[int]bool{}
	groupStart := -1
	for i, l := range lines {
		t := strings.TrimSpace(l.text)
		if t == "{" || strings.HasSuffix(t, "{") && !strings.Contains(t, "}") {
			groupStart = i
		}
		if groupStart >= 0 && strings.HasPrefix(t, "}") {
			if strings.Contains(t, target) {
				for k := groupStart; k <= i; k++ {
					inGroup[k] = true
				}
			}
			groupStart = -1
		}
	}
	heredoc, delim := "", ""
	for i, l := range lines {
		if heredoc != "" {
			if strings.Trim(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l.text), "echo")), `"'`) == delim {
				heredoc = ""
				continue
			}
			out = append(out, shellWrite{name: heredoc, text: l.text, offset: l.offset})
			continue
		}
		if target == "GITHUB_OUTPUT" {
			if m := setOutput.FindStringSubmatch(l.text); m != nil {
				out = append(out, shellWrite{name: strings.ToLower(m[1]), text: m[2], offset: l.offset})
				continue
			}
		}
		if !strings.Contains(l.text, target) && !inGroup[i] {
			continue
		}
		for _, m := range writeName.FindAllStringSubmatchIndex(l.text, -1) {
			name := strings.ToLower(l.text[m[2]:m[3]])
			if name == strings.ToLower(target) || strings.HasPrefix(name, "github_") {
				continue
			}
			if l.text[m[4]:m[5]] == "<<" {
				if m[6] >= 0 {
					heredoc, delim = name, l.text[m[6]:m[7]]
				}
				continue
			}
			out = append(out, shellWrite{name: name, text: l.text[m[5]:], offset: l.offset})
		}
	}
	return out
}

type scriptLine struct {
	text   string
	offset int
}

func splitLines(s string) []scriptLine {
	var out []scriptLine
	off := 0
	for {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			out = append(out, scriptLine{text: strings.TrimSuffix(s[off:], "\r"), offset: off})
			return out
		}
		out = append(out, scriptLine{text: strings.TrimSuffix(s[off:off+i], "\r"), offset: off})
		off += i + 1
	}
}

// shellVars lists the variables a piece of script text reads.
func shellVars(text string) []string {
	var out []string
	for _, m := range shellVar.FindAllStringSubmatch(text, -1) {
		for _, g := range m[1:] {
			if g != "" {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// shellAssignments maps the variables a script sets itself to the text
// that gives them their value.
func shellAssignments(script string) map[string]string {
	var out map[string]string
	for _, l := range splitLines(script) {
		if m := shellAssign.FindStringSubmatch(l.text); m != nil {
			if out == nil {
				out = map[string]string{}
			}
			out[m[1]] += m[2] + "\n"
		}
	}
	return out
}
