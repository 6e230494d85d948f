package workflow

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Matrix is a job's `strategy.matrix`.
type Matrix struct {
	Key Value // the `matrix` key
	// Expr is set when the whole matrix is one expression
	// (`matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}`).
	Expr *Value
	Rows []MatrixRow
	// Include and Exclude are the entries of `include:` and `exclude:`;
	// IncludeExpr and ExcludeExpr are set when those are expressions.
	Include, Exclude         []MatrixValue
	IncludeExpr, ExcludeExpr *Value
}

// MatrixRow is one variable of the matrix and its list of values.
type MatrixRow struct {
	Key Value
	// Expr is set when the list is an expression.
	Expr   *Value
	Values []MatrixValue
}

// MatrixValue is a value of a matrix variable: a scalar, a mapping or a
// list.
type MatrixValue struct {
	Scalar *Value
	Map    []MatrixField
	List   []MatrixValue
}

// MatrixField is one key of a mapping value.
type MatrixField struct {
	Key   Value
	Value MatrixValue
}

// maxMatrixJobs is GitHub's limit on the jobs one matrix may generate; a
// larger product is not expanded (every value is then taken as used).
const maxMatrixJobs = 256

func (p *parser) matrix(key, n *yaml.Node) *Matrix {
	m := &Matrix{Key: *p.value(key)}
	if n.Kind == yaml.ScalarNode {
		m.Expr = p.value(n)
		return m
	}
	for _, pr := range p.pairs(n) {
		k := p.value(pr.key)
		if k == nil {
			continue
		}
		switch k.Value {
		case "include", "exclude":
			var list []MatrixValue
			var expr *Value
			if pr.val.Kind == yaml.ScalarNode {
				expr = p.value(pr.val)
			}
			for _, c := range p.seq(pr.val) {
				list = append(list, p.matrixValue(c, 0))
			}
			if k.Value == "include" {
				m.Include, m.IncludeExpr = list, expr
			} else {
				m.Exclude, m.ExcludeExpr = list, expr
			}
		default:
			row := MatrixRow{Key: *k}
			if pr.val.Kind == yaml.ScalarNode {
				row.Expr = p.value(pr.val)
			}
			for _, c := range p.seq(pr.val) {
				row.Values = append(row.Values, p.matrixValue(c, 0))
			}
			m.Rows = append(m.Rows, row)
		}
	}
	return m
}

func (p *parser) matrixValue(n *yaml.Node, depth int) MatrixValue {
	n = p.resolve(n)
	if n == nil || depth > 16 {
		return MatrixValue{}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return MatrixValue{Scalar: p.value(n)}
	case yaml.MappingNode:
		var mv MatrixValue
		for _, pr := range p.pairs(n) {
			if k := p.value(pr.key); k != nil {
				mv.Map = append(mv.Map, MatrixField{Key: *k, Value: p.matrixValue(pr.val, depth+1)})
			}
		}
		return mv
	case yaml.SequenceNode:
		var mv MatrixValue
		for _, c := range p.seq(n) {
			mv.List = append(mv.List, p.matrixValue(c, depth+1))
		}
		return mv
	}
	return MatrixValue{}
}

// Field returns the value of key in a mapping value (keys match without
// case, like context property access).
func (v MatrixValue) Field(key string) (MatrixValue, bool) {
	for _, f := range v.Map {
		if strings.EqualFold(f.Key.Value, key) {
			return f.Value, true
		}
	}
	return MatrixValue{}, false
}

// Scalars appends every scalar below v.
func (v MatrixValue) Scalars(out []*Value) []*Value {
	if v.Scalar != nil {
		return append(out, v.Scalar)
	}
	for _, f := range v.Map {
		out = f.Value.Scalars(out)
	}
	for _, c := range v.List {
		out = c.Scalars(out)
	}
	return out
}

// key is a canonical form of a value for comparing include and exclude
// entries with rows.
func (v MatrixValue) key() string {
	var b strings.Builder
	v.writeKey(&b)
	return b.String()
}

func (v MatrixValue) writeKey(b *strings.Builder) {
	switch {
	case v.Scalar != nil:
		b.WriteString("s:")
		b.WriteString(v.Scalar.Value)
	case v.Map != nil:
		b.WriteString("{")
		for _, f := range v.Map {
			b.WriteString(f.Key.Value)
			b.WriteString("=")
			f.Value.writeKey(b)
			b.WriteString(",")
		}
		b.WriteString("}")
	default:
		b.WriteString("[")
		for _, c := range v.List {
			c.writeKey(b)
			b.WriteString(",")
		}
		b.WriteString("]")
	}
}

// Values returns what `matrix.<path>` can be: the scalars the jobs of the
// matrix get for it (combinations removed by `exclude` left out, values
// added by `include` kept), and the expressions that decide the matrix at
// run time (whose values cannot be known from the file).
func (m *Matrix) Values(path []string) (values, dynamic []*Value) {
	if m == nil || len(path) == 0 {
		return nil, nil
	}
	if m.Expr != nil {
		return nil, []*Value{m.Expr}
	}
	var top []MatrixValue
	for i := range m.Rows {
		r := &m.Rows[i]
		if !strings.EqualFold(r.Key.Value, path[0]) {
			continue
		}
		if r.Expr != nil {
			dynamic = append(dynamic, r.Expr)
		}
		top = append(top, m.surviving(i)...)
	}
	for _, inc := range m.Include {
		if f, ok := inc.Field(path[0]); ok {
			top = append(top, f)
		}
	}
	if m.IncludeExpr != nil {
		dynamic = append(dynamic, m.IncludeExpr)
	}
	for _, v := range top {
		for _, seg := range path[1:] {
			if seg == "*" {
				break // an index: every element below counts
			}
			f, ok := v.Field(seg)
			if !ok {
				v = MatrixValue{}
				break
			}
			v = f
		}
		values = v.Scalars(values)
	}
	return values, dynamic
}

// surviving returns the values of row i that some combination not removed
// by `exclude` still uses.
func (m *Matrix) surviving(i int) []MatrixValue {
	row := m.Rows[i]
	if len(m.Exclude) == 0 {
		return row.Values
	}
	total := 1
	for _, r := range m.Rows {
		if r.Expr != nil || len(r.Values) == 0 {
			return row.Values
		}
		total *= len(r.Values)
		if total > maxMatrixJobs {
			return row.Values
		}
	}
	used := make([]bool, len(row.Values))
	idx := make([]int, len(m.Rows))
	for c := 0; c < total; c++ {
		rest := c
		for k := range m.Rows {
			idx[k] = rest % len(m.Rows[k].Values)
			rest /= len(m.Rows[k].Values)
		}
		if !used[idx[i]] && !m.excluded(idx) {
			used[idx[i]] = true
		}
	}
	var out []MatrixValue
	for k, u := range used {
		if u {
			out = append(out, row.Values[k])
		}
	}
	return out
}

// excluded reports whether an `exclude` entry matches the combination.
func (m *Matrix) excluded(idx []int) bool {
	for _, ex := range m.Exclude {
		if len(ex.Map) == 0 {
			continue
		}
		match := true
		for _, f := range ex.Map {
			k := -1
			for r := range m.Rows {
				if m.Rows[r].Key.Value == f.Key.Value {
					k = r
				}
			}
			if k < 0 || m.Rows[k].Values[idx[k]].key() != f.Value.key() {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
