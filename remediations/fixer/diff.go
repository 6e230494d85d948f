package fixer

import (
	"fmt"
	"strings"
)

// Diff renders the outcome as a unified diff (git's a/ b/ prefixes).
func (o *Outcome) Diff() string {
	var b strings.Builder
	for _, p := range o.Paths() {
		b.WriteString(Unified(p, o.Before[p], o.After[p]))
	}
	return b.String()
}

// Unified is a unified diff of one file with three lines of context; a
// nil before is a new file.
func Unified(path string, before, after []byte) string {
	a, b := splitLines(string(before)), splitLines(string(after))
	ops := myers(a, b)
	if len(ops) == 0 {
		return ""
	}
	var out strings.Builder
	from := "a/" + path
	if before == nil {
		from = "/dev/null"
		fmt.Fprintf(&out, "diff --git a/%s b/%s\nnew file mode 100644\n", path, path)
	} else {
		fmt.Fprintf(&out, "diff --git a/%s b/%s\n", path, path)
	}
	fmt.Fprintf(&out, "--- %s\n+++ b/%s\n", from, path)
	const ctx = 3
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-ctx)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(len(ops), end+ctx)
				break
			}
			end = run
		}
		aStart, bStart, aN, bN := hunkRange(ops, start, end)
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", aStart, aN, bStart, bN)
		for _, op := range ops[start:end] {
			out.WriteByte(op.kind)
			out.WriteString(strings.TrimRight(op.line, "\r\n"))
			out.WriteByte('\n')
			if !strings.HasSuffix(op.line, "\n") {
				out.WriteString("\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

type op struct {
	kind byte // ' ', '-', '+'
	line string
	a, b int // 1-based line numbers in a and b (0 when absent)
}

func hunkRange(ops []op, start, end int) (aStart, bStart, aN, bN int) {
	for _, o := range ops[start:end] {
		if o.kind != '+' {
			if aStart == 0 {
				aStart = o.a
			}
			aN++
		}
		if o.kind != '-' {
			if bStart == 0 {
				bStart = o.b
			}
			bN++
		}
	}
	if aStart == 0 {
		aStart = precedingLine(ops, start, true)
	}
	if bStart == 0 {
		bStart = precedingLine(ops, start, false)
	}
	return
}

func precedingLine(ops []op, i int, inA bool) int {
	for j := i - 1; j >= 0; j-- {
		if inA && ops[j].a > 0 {
			return ops[j].a
		}
		if !inA && ops[j].b > 0 {
			return ops[j].b
		}
	}
	return 0
}

// splitLines keeps each line's ending so CRLF and a missing final newline
// show in the diff.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// myers computes an edit script with Myers' O((N+M)D) algorithm.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	maxD := n + m
	v := make([]int, 2*maxD+2)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		snapshot := append([]int(nil), v...)
		trace = append(trace, snapshot)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[maxD+k-1] < v[maxD+k+1] {
				x = v[maxD+k+1]
			} else {
				x = v[maxD+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[maxD+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	// Walk back through the trace.
	var rev []op
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || k != d && vd[maxD+k-1] < vd[maxD+k+1] {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[maxD+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, op{' ', a[x-1], x, y})
			x--
			y--
		}
		if x == prevX {
			rev = append(rev, op{'+', b[y-1], 0, y})
			y--
		} else {
			rev = append(rev, op{'-', a[x-1], x, 0})
			x--
		}
	}
	for x > 0 && y > 0 {
		rev = append(rev, op{' ', a[x-1], x, y})
		x--
		y--
	}
	changed := false
	ops := make([]op, len(rev))
	for i := range rev {
		ops[i] = rev[len(rev)-1-i]
		if ops[i].kind != ' ' {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return ops
}
