package workflow

import (
	"strings"
)

// Expr is one `${{ … }}` expression inside a string.
type Expr struct {
	// Raw is the whole expression including `${{` and `}}`.
	Raw string
	// Offset is the byte offset of Raw in the string it was found in.
	Offset int
	// Contexts lists the context paths it reads, lower-cased, with indexes
	// written as `.*` (github.event.commits.*.message) and literal keys
	// as path elements (github.event['issue'] → github.event.issue).
	Contexts []string
}

// Expressions finds every `${{ … }}` in s. An unterminated expression is
// ignored.
func Expressions(s string) []Expr {
	var out []Expr
	for i := 0; ; {
		j := strings.Index(s[i:], "${{")
		if j < 0 {
			return out
		}
		start := i + j
		end := exprEnd(s, start+3)
		if end < 0 {
			return out
		}
		out = append(out, Expr{Raw: s[start:end], Offset: start, Contexts: ContextPaths(s[start+3 : end-2])})
		i = end
	}
}

// exprEnd finds the `}}` closing an expression, skipping string literals.
func exprEnd(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == '\'':
			i++
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case strings.HasPrefix(s[i:], "}}"):
			return i + 2
		default:
			i++
		}
	}
	return -1
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || c == '-' || (c >= '0' && c <= '9') }

// ContextPaths lists the context paths an expression body reads.
func ContextPaths(e string) []string {
	var out []string
	i := 0
	for i < len(e) {
		c := e[i]
		switch {
		case c == '\'':
			i = skipString(e, i)
		case c >= '0' && c <= '9':
			for i < len(e) && (isIdent(e[i]) || e[i] == '.') {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(e) && isIdent(e[j]) {
				j++
			}
			name := strings.ToLower(e[i:j])
			k := j
			for k < len(e) && e[k] == ' ' {
				k++
			}
			if k < len(e) && e[k] == '(' { // a function call
				i = j
				continue
			}
			if name == "true" || name == "false" || name == "null" {
				i = j
				continue
			}
			path, next, inner := contextChain(e, j, name)
			out = append(out, path)
			out = append(out, inner...)
			i = next
		default:
			i++
		}
	}
	return out
}

// contextChain reads `.x`, `.*`, `['x']` and `[expr]` after a context name.
// Contexts read inside computed indexes are returned as inner.
func contextChain(e string, i int, path string) (_ string, _ int, inner []string) {
	for i < len(e) {
		switch {
		case e[i] == '.' && i+1 < len(e) && e[i+1] == '*':
			path += ".*"
			i += 2
		case e[i] == '.' && i+1 < len(e) && isIdentStart(e[i+1]):
			j := i + 1
			for j < len(e) && isIdent(e[j]) {
				j++
			}
			path += "." + strings.ToLower(e[i+1:j])
			i = j
		case e[i] == '[':
			j := i + 1
			for j < len(e) && e[j] == ' ' {
				j++
			}
			if j < len(e) && e[j] == '\'' {
				end := skipString(e, j)
				lit := strings.ReplaceAll(e[j+1:max(j+1, end-1)], "''", "'")
				k := end
				for k < len(e) && e[k] == ' ' {
					k++
				}
				if k < len(e) && e[k] == ']' {
					path += "." + strings.ToLower(lit)
					i = k + 1
					continue
				}
			}
			// A computed index: the element is unknown.
			depth := 0
			for j = i; j < len(e); j++ {
				if e[j] == '[' {
					depth++
				} else if e[j] == ']' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			inner = append(inner, ContextPaths(e[i+1:min(j, len(e))])...)
			path += ".*"
			i = j + 1
		default:
			return path, i, inner
		}
	}
	return path, i, inner
}

func skipString(e string, i int) int {
	i++
	for i < len(e) {
		if e[i] == '\'' {
			if i+1 < len(e) && e[i+1] == '\'' {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return i
}

// Body is the text between `${{` and `}}`.
func (e Expr) Body() string { return e.Raw[3 : len(e.Raw)-2] }

// Parse parses the expression; nil when it is not valid.
func (e Expr) Parse() *Node {
	n, err := ParseExpr(e.Body())
	if err != nil {
		return nil
	}
	return n
}

// Flows lists the contexts whose data reaches the expression's value
// (see Node.Flows). An expression that does not parse lets every context
// it mentions through, so that nothing is missed.
func (e Expr) Flows() []Flow {
	if n := e.Parse(); n != nil {
		return n.Flows()
	}
	var out []Flow
	for _, c := range e.Contexts {
		out = append(out, Flow{ContextRef: ContextRef{Path: c, Raw: c}})
	}
	return out
}

// ExprPositions returns, for each expression in v, the byte offset of its
// `${{` in the file (see Value.SourceOffsets).
func ExprPositions(src []byte, v *Value) []int {
	exprs := Expressions(v.Value)
	offs := make([]int, len(exprs))
	for i, e := range exprs {
		offs[i] = e.Offset
	}
	return v.SourceOffsets(src, offs)
}
