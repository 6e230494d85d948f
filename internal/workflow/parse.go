package workflow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseError is why a file could not be modelled. Line is 0 when the
// problem is the file as a whole.
type ParseError struct {
	Path         string
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// KindOf tells which kind of file a repository path is, or 0.
func KindOf(p string) Kind {
	dir, base := path.Split(p)
	lower := strings.ToLower(base)
	if dir == ".github/workflows/" && (strings.HasSuffix(lower, ".yml") || strings.HasSuffix(lower, ".yaml")) {
		return KindWorkflow
	}
	if base == "action.yml" || base == "action.yaml" {
		return KindAction
	}
	if (strings.Contains(lower, "dockerfile") || strings.Contains(lower, "containerfile")) && !notDockerfile[path.Ext(lower)] {
		return KindDockerfile
	}
	return 0
}

// notDockerfile are extensions of files whose names mention Dockerfile but
// hold code or prose (OpenSSF Scorecard skips the same code files).
var notDockerfile = map[string]bool{
	".go": true, ".c": true, ".cpp": true, ".rs": true, ".js": true, ".ts": true, ".py": true, ".pyc": true,
	".java": true, ".sh": true, ".bash": true, ".md": true, ".txt": true, ".json": true, ".yml": true, ".yaml": true,
}

// Parse models a file of the kind its path implies.
func Parse(p string, src []byte) (*File, error) {
	switch KindOf(p) {
	case KindWorkflow:
		return ParseWorkflow(p, src)
	case KindAction:
		return ParseAction(p, src)
	case KindDockerfile:
		return ParseDockerfile(p, src)
	}
	return nil, &ParseError{Path: p, Msg: "not a workflow, action or Dockerfile"}
}

// errBudget stops a walk that does more work than the file's size allows
// (an alias bomb).
var errBudget = errors.New("document too complex: alias expansion exceeds the work limit")

type parser struct {
	path      string
	src       *Source
	work      int
	limit     int
	steps     map[*yaml.Node]*Step
	stepLists map[*yaml.Node][]*Step
	file      *File
	images    map[int]bool
}

// decode parses src into its single YAML document, refusing empty files,
// several documents and non-mapping roots.
func decode(p string, src []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &ParseError{Path: p, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{Path: p, Msg: "file is empty or only comments"}
		}
		return nil, yamlError(p, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &ParseError{Path: p, Line: extra.Line, Column: extra.Column, Msg: "more than one YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(p, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &ParseError{Path: p, Msg: "file is empty or only comments"}
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, &ParseError{Path: p, Msg: "file is empty or only comments"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{Path: p, Line: root.Line, Column: root.Column, Msg: "top level is not a mapping"}
	}
	return root, nil
}

// yamlError turns a yaml.v3 error ("yaml: line 3: …") into a ParseError.
func yamlError(p string, err error) *ParseError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		_, rest, _ := strings.Cut(msg, ": ")
		return &ParseError{Path: p, Line: line, Column: 1, Msg: "invalid YAML: " + rest}
	}
	return &ParseError{Path: p, Msg: "invalid YAML: " + msg}
}

func newParser(p string, src []byte, kind Kind) *parser {
	s := NewSource(src)
	return &parser{
		path: p, src: s,
		limit:     100000 + 50*len(src),
		steps:     map[*yaml.Node]*Step{},
		stepLists: map[*yaml.Node][]*Step{},
		file:      &File{Path: p, Kind: kind, Source: s},
		images:    map[int]bool{},
	}
}

// tick charges one unit of work.
func (p *parser) tick() {
	p.work++
	if p.work > p.limit {
		panic(errBudget)
	}
}

// run calls fn, turning a budget panic or a structural error into a
// ParseError.
func (p *parser) run(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == errBudget {
				err = &ParseError{Path: p.path, Msg: errBudget.Error()}
				return
			}
			if pe, ok := r.(*ParseError); ok {
				err = pe
				return
			}
			panic(r)
		}
	}()
	return fn()
}

// resolve follows aliases.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		p.tick()
		if i > 100 {
			panic(&ParseError{Path: p.path, Line: n.Line, Column: n.Column, Msg: "alias chain too long"})
		}
		n = n.Alias
	}
	if n != nil {
		p.tick()
	}
	return n
}

type pair struct {
	key *yaml.Node
	val *yaml.Node // resolved
}

// pairs lists a mapping's entries with `<<` merge keys applied (explicit
// keys win) and rejects duplicate keys like GitHub does.
func (p *parser) pairs(n *yaml.Node) []pair {
	n = p.resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := p.resolve(n.Content[i])
		v := n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			merged = append(merged, p.mergeSources(v)...)
			continue
		}
		if k.Kind == yaml.ScalarNode {
			if first, dup := seen[k.Value]; dup {
				panic(&ParseError{Path: p.path, Line: k.Line, Column: k.Column,
					Msg: fmt.Sprintf("duplicate key %q (first defined at line %d)", k.Value, first.Line)})
			}
			seen[k.Value] = k
		}
		out = append(out, pair{key: k, val: p.resolve(v)})
	}
	for _, m := range merged {
		if _, ok := seen[m.key.Value]; !ok {
			seen[m.key.Value] = m.key
			out = append(out, m)
		}
	}
	return out
}

func (p *parser) mergeSources(v *yaml.Node) []pair {
	v = p.resolve(v)
	switch v.Kind {
	case yaml.MappingNode:
		return p.pairs(v)
	case yaml.SequenceNode:
		var out []pair
		for _, c := range v.Content {
			out = append(out, p.pairs(c)...)
		}
		return out
	}
	return nil
}

// seq lists a sequence's items, resolved.
func (p *parser) seq(n *yaml.Node) []*yaml.Node {
	n = p.resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, p.resolve(c))
	}
	return out
}

// value builds a Value for a scalar node, or nil for other kinds.
func (p *parser) value(n *yaml.Node) *Value {
	n = p.resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	src := p.src.Src
	off := p.src.Offset(n.Line, n.Column)
	// yaml.v3 places an anchored or tagged node at its `&anchor`/`!tag`.
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		for off < len(src) && !isSpace(src[off]) {
			off++
		}
		for off < len(src) && isSpace(src[off]) {
			off++
		}
	}
	v := &Value{Value: n.Value, Start: off, Style: n.Style, Node: n, End: -1, ContentEnd: -1}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		v.ContentStart = off + 1
		if end := quoteEnd(src, off+1, '"'); end >= 0 {
			v.End = end + 1
			if string(src[off+1:end]) == n.Value {
				v.ContentEnd = end
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		v.ContentStart = off + 1
		if end := quoteEnd(src, off+1, '\''); end >= 0 {
			v.End = end + 1
			if string(src[off+1:end]) == n.Value {
				v.ContentEnd = end
			}
		}
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// Content starts at the first non-blank of the next line.
		i := off
		for i < len(src) && breakWidth(src, i) == 0 {
			i++
		}
		if i < len(src) {
			i += breakWidth(src, i)
		}
		for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		v.ContentStart = i
	default:
		v.ContentStart = off
		if end := off + len(n.Value); end <= len(src) && string(src[off:end]) == n.Value {
			v.End, v.ContentEnd = end, end
		}
	}
	v.Line, v.Column = p.src.Position(v.ContentStart)
	return v
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// quoteEnd finds the closing quote of a quoted scalar starting at i.
func quoteEnd(src []byte, i int, q byte) int {
	for ; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q:
			if q == '\'' && i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return i
		}
	}
	return -1
}

func (p *parser) kvs(n *yaml.Node) []KV {
	var out []KV
	for _, pr := range p.pairs(n) {
		k, v := p.value(pr.key), p.value(pr.val)
		if k != nil && v != nil {
			out = append(out, KV{Key: *k, Value: *v})
		}
	}
	return out
}

func (p *parser) permissions(key, val *yaml.Node) *Permissions {
	k := p.value(key)
	perm := &Permissions{Key: *k, Node: val}
	switch val.Kind {
	case yaml.ScalarNode:
		perm.AllAt = p.value(val)
		perm.All = perm.AllAt.Value
	case yaml.MappingNode:
		for _, kv := range p.kvs(val) {
			perm.Scopes = append(perm.Scopes, Scope{Name: kv.Key.Value, Level: kv.Value.Value, Key: kv.Key, Value: kv.Value})
		}
	}
	return perm
}

func (p *parser) image(n *yaml.Node, where string) *Image {
	v := p.value(n)
	if v == nil || v.Value == "" {
		return nil
	}
	img := &Image{Value: *v, Where: where}
	if !p.images[v.Start] {
		p.images[v.Start] = true
		p.file.Images = append(p.file.Images, img)
	}
	return img
}

// expandedSize counts the nodes of the document with aliases expanded,
// memoised per node so that an alias bomb costs its number of distinct
// nodes, and capped above ExpandLimit.
func expandedSize(root *yaml.Node) int {
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if depth > 1000 {
			return ExpandLimit + 1 // a cycle or absurd nesting
		}
		if s, ok := memo[n]; ok {
			return s
		}
		memo[n] = ExpandLimit + 1 // in progress: a recursive alias counts as too big
		total := 1
		if n.Kind == yaml.AliasNode {
			total += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			if total > ExpandLimit {
				break
			}
			total += size(c, depth+1)
		}
		total = min(total, ExpandLimit+1)
		memo[n] = total
		return total
	}
	return size(root, 0)
}
