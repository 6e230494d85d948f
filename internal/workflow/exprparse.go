package workflow

import (
	"errors"
	"strings"
)

// NodeKind is the kind of an expression node.
type NodeKind int

// Kinds of expression nodes.
const (
	NodeLiteral NodeKind = iota + 1
	NodeContext          // a context path: github.event.issue.title
	NodeCall             // a function call
	NodeNot              // !x
	NodeBinary           // x op y
	NodeAccess           // a property or index of a call's result: fromJSON(x).y
)

// Node is a parsed `${{ }}` expression (or an `if:` condition).
type Node struct {
	Kind NodeKind
	// Op is the operator of a binary node: == != < <= > >= && ||.
	Op string
	// Name is a call's function name, lower-cased.
	Name string
	Args []*Node
	// Ref is set for context nodes.
	Ref *ContextRef
	// Lit is a literal's text: strings unquoted, others as written.
	Lit string
	// IsString is set for string literals.
	IsString bool
	// Start and End delimit the node in the expression body.
	Start, End int
}

// ContextRef is a context path read by an expression.
type ContextRef struct {
	// Path is lower-cased with literal keys as elements and any other
	// index as `*`: github.event['Issue'].labels[0] → github.event.issue.labels.*.
	Path string
	// Raw is the text as written, original case kept, for messages.
	Raw string
	// Offset is where Raw starts in the expression body.
	Offset int
}

// Flow is a context whose data reaches an expression's value.
type Flow struct {
	ContextRef
	// JSON is set when the value is serialised whole by toJSON.
	JSON bool
}

// maxExprDepth bounds the parser's recursion on hostile input.
const maxExprDepth = 64

var errExpr = errors.New("not a valid expression")

// ParseExpr parses an expression body (the text between `${{` and `}}`).
func ParseExpr(body string) (*Node, error) {
	p := &exprParser{src: body}
	p.next()
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, errExpr
	}
	return n, nil
}

// Flows lists the contexts whose data can become the value of the
// expression: operands of `||`, the right side of `&&`, arguments of
// format, join, toJSON and fromJSON. Comparisons, `!` and predicates
// (contains, startsWith, endsWith, hashFiles, status functions) yield
// booleans or fixed strings and let nothing through.
func (n *Node) Flows() []Flow {
	var out []Flow
	n.flows(&out, false)
	return out
}

func (n *Node) flows(out *[]Flow, json bool) {
	if n == nil {
		return
	}
	switch n.Kind {
	case NodeContext:
		*out = append(*out, Flow{ContextRef: *n.Ref, JSON: json})
	case NodeBinary:
		switch n.Op {
		case "||":
			n.Args[0].flows(out, json)
			n.Args[1].flows(out, json)
		case "&&":
			n.Args[1].flows(out, json)
		}
	case NodeAccess:
		n.Args[0].flows(out, json)
	case NodeCall:
		switch n.Name {
		case "contains", "startswith", "endswith", "hashfiles", "success", "failure", "always", "cancelled":
		case "tojson":
			for _, a := range n.Args {
				a.flows(out, true)
			}
		default: // format, join, fromjson and functions added after this was written
			for _, a := range n.Args {
				a.flows(out, json)
			}
		}
	}
}

// Walk calls fn for n and every node below it, parents first.
func (n *Node) Walk(fn func(*Node)) {
	if n == nil {
		return
	}
	fn(n)
	for _, a := range n.Args {
		a.Walk(fn)
	}
}

// IsCall reports whether n is a call of the named (lower-case) function.
func (n *Node) IsCall(name string) bool { return n != nil && n.Kind == NodeCall && n.Name == name }

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokPunct
	tokBad
)

type token struct {
	kind       tokKind
	text       string
	start, end int
}

type exprParser struct {
	src string
	pos int
	tok token
}

func (p *exprParser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok = token{kind: tokEOF, start: start, end: start}
		return
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		end := skipString(p.src, p.pos)
		if end > len(p.src) || p.src[end-1] != '\'' || end-1 == p.pos {
			p.tok = token{kind: tokBad, start: start, end: len(p.src)}
			p.pos = len(p.src)
			return
		}
		p.pos = end
		p.tok = token{kind: tokString, text: strings.ReplaceAll(p.src[start+1:end-1], "''", "'"), start: start, end: end}
	case isIdentStart(c):
		for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
			p.pos++
		}
		p.tok = token{kind: tokIdent, text: p.src[start:p.pos], start: start, end: p.pos}
	case c >= '0' && c <= '9' || c == '-' && p.pos+1 < len(p.src) && (p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' || p.src[p.pos+1] == '.'):
		p.pos++
		for p.pos < len(p.src) && (isIdent(p.src[p.pos]) || p.src[p.pos] == '.' ||
			(p.src[p.pos] == '+' || p.src[p.pos] == '-') && (p.src[p.pos-1] == 'e' || p.src[p.pos-1] == 'E')) {
			p.pos++
		}
		p.tok = token{kind: tokNumber, text: p.src[start:p.pos], start: start, end: p.pos}
	default:
		for _, op := range []string{"==", "!=", "<=", ">=", "&&", "||"} {
			if strings.HasPrefix(p.src[p.pos:], op) {
				p.pos += 2
				p.tok = token{kind: tokPunct, text: op, start: start, end: p.pos}
				return
			}
		}
		if strings.IndexByte("()[].,!<>*", c) >= 0 {
			p.pos++
			p.tok = token{kind: tokPunct, text: string(c), start: start, end: p.pos}
			return
		}
		p.pos++
		p.tok = token{kind: tokBad, text: string(c), start: start, end: p.pos}
	}
}

func (p *exprParser) is(text string) bool { return p.tok.kind == tokPunct && p.tok.text == text }

func (p *exprParser) binary(depth int, ops []string, operand func(int) (*Node, error)) (*Node, error) {
	if depth > maxExprDepth {
		return nil, errExpr
	}
	left, err := operand(depth + 1)
	if err != nil {
		return nil, err
	}
	for {
		op := ""
		for _, o := range ops {
			if p.is(o) {
				op = o
			}
		}
		if op == "" {
			return left, nil
		}
		p.next()
		right, err := operand(depth + 1)
		if err != nil {
			return nil, err
		}
		left = &Node{Kind: NodeBinary, Op: op, Args: []*Node{left, right}, Start: left.Start, End: right.End}
	}
}

func (p *exprParser) or(d int) (*Node, error) {
	return p.binary(d, []string{"||"}, p.and)
}

func (p *exprParser) and(d int) (*Node, error) {
	return p.binary(d, []string{"&&"}, p.eq)
}

func (p *exprParser) eq(d int) (*Node, error) {
	return p.binary(d, []string{"==", "!="}, p.cmp)
}

func (p *exprParser) cmp(d int) (*Node, error) {
	return p.binary(d, []string{"<", "<=", ">", ">="}, p.unary)
}

func (p *exprParser) unary(d int) (*Node, error) {
	if d > maxExprDepth {
		return nil, errExpr
	}
	if p.is("!") {
		start := p.tok.start
		p.next()
		x, err := p.unary(d + 1)
		if err != nil {
			return nil, err
		}
		return &Node{Kind: NodeNot, Args: []*Node{x}, Start: start, End: x.End}, nil
	}
	return p.postfix(d + 1)
}

func (p *exprParser) postfix(d int) (*Node, error) {
	if d > maxExprDepth {
		return nil, errExpr
	}
	t := p.tok
	switch {
	case t.kind == tokString:
		p.next()
		return &Node{Kind: NodeLiteral, Lit: t.text, IsString: true, Start: t.start, End: t.end}, nil
	case t.kind == tokNumber:
		p.next()
		return &Node{Kind: NodeLiteral, Lit: t.text, Start: t.start, End: t.end}, nil
	case p.is("("):
		p.next()
		x, err := p.or(d + 1)
		if err != nil {
			return nil, err
		}
		if !p.is(")") {
			return nil, errExpr
		}
		p.next()
		return p.access(x, d)
	case t.kind == tokIdent:
		p.next()
		lower := strings.ToLower(t.text)
		if p.is("(") {
			return p.call(t, lower, d)
		}
		if lower == "true" || lower == "false" || lower == "null" {
			return &Node{Kind: NodeLiteral, Lit: lower, Start: t.start, End: t.end}, nil
		}
		return p.context(t, lower, d)
	}
	return nil, errExpr
}

func (p *exprParser) call(name token, lower string, d int) (*Node, error) {
	p.next() // (
	n := &Node{Kind: NodeCall, Name: lower, Start: name.start}
	for !p.is(")") {
		a, err := p.or(d + 1)
		if err != nil {
			return nil, err
		}
		n.Args = append(n.Args, a)
		if p.is(",") {
			p.next()
			continue
		}
		if !p.is(")") {
			return nil, errExpr
		}
	}
	n.End = p.tok.end
	p.next()
	return p.access(n, d)
}

// context reads `.x`, `.*`, `['x']` and `[expr]` after a context name.
func (p *exprParser) context(name token, lower string, d int) (*Node, error) {
	path := lower
	end := name.end
	var inner []*Node
	for {
		switch {
		case p.is("."):
			p.next()
			switch {
			case p.is("*"):
				path += ".*"
			case p.tok.kind == tokIdent:
				path += "." + strings.ToLower(p.tok.text)
			default:
				return nil, errExpr
			}
			end = p.tok.end
			p.next()
		case p.is("["):
			p.next()
			if p.is("*") {
				p.next()
				path += ".*"
			} else {
				idx, err := p.or(d + 1)
				if err != nil {
					return nil, err
				}
				if idx.Kind == NodeLiteral && idx.IsString {
					path += "." + strings.ToLower(idx.Lit)
				} else {
					path += ".*"
					inner = append(inner, idx)
				}
			}
			if !p.is("]") {
				return nil, errExpr
			}
			end = p.tok.end
			p.next()
		default:
			ref := &ContextRef{Path: path, Raw: p.src[name.start:end], Offset: name.start}
			return &Node{Kind: NodeContext, Ref: ref, Args: inner, Start: name.start, End: end}, nil
		}
	}
}

// access reads property and index accesses on a call's or group's result.
func (p *exprParser) access(base *Node, d int) (*Node, error) {
	for p.is(".") || p.is("[") {
		if p.is(".") {
			p.next()
			if p.tok.kind != tokIdent && !p.is("*") {
				return nil, errExpr
			}
			base = &Node{Kind: NodeAccess, Args: []*Node{base}, Start: base.Start, End: p.tok.end}
			p.next()
			continue
		}
		p.next()
		if p.is("*") {
			p.next()
		} else if _, err := p.or(d + 1); err != nil {
			return nil, err
		}
		if !p.is("]") {
			return nil, errExpr
		}
		base = &Node{Kind: NodeAccess, Args: []*Node{base}, Start: base.Start, End: p.tok.end}
		p.next()
	}
	return base, nil
}
