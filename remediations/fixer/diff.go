package fixer

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Diff renders the outcome as a unified diff (git's a/ b/ prefixes).
func (o *Outcome) Diff() string {
	var b strings.Builder
	for _, p := range o.Paths() {
		b.WriteString(Unified(p, o.Before[p], o.After[p]))
	}
	return b.String()
}

// Unified is a unified diff of one file with three lines of context, with
// git's header so that `git apply` takes it; a nil before is a new file.
// Line endings are kept as they are, so a CRLF file's diff applies to it.
func Unified(path string, before, after []byte) string {
	from, header := "a/"+path, "diff --git a/"+path+" b/"+path+"\n"
	if before == nil {
		from, header = "/dev/null", header+"new file mode 100644\n"
	}
	d := udiff.Unified(from, "b/"+path, string(before), string(after))
	if d == "" {
		return ""
	}
	return header + d
}
