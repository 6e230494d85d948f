package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hardener/hardener/checks"
)

// Error is one problem in a config file, at a 1-based line (0 when the
// file as a whole is wrong).
type Error struct {
	File    string
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// Errors is every problem found in one file, in file order. Parse returns
// it as its error; use errors.As to list them (e.g. as annotations).
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Parse reads a repository's `.github/hardener.yml`. An empty or
// comment-only file yields Default(). The returned Config remembers which
// keys the file set, for Merge.
func Parse(data []byte) (Config, error) {
	p := &parser{file: File}
	p.document(data, false)
	if len(p.errs) > 0 {
		return Config{}, p.errs
	}
	return Default().with(p.settings), nil
}

// ParseOrg reads the organisation's `.github/hardener.yml`, which may also
// hold a `repositories:` block.
func ParseOrg(data []byte) (Org, error) {
	p := &parser{file: File, repos: DefaultRepositories(), dashboard: DefaultDashboard()}
	p.document(data, true)
	if len(p.errs) > 0 {
		return Org{}, p.errs
	}
	return Org{Config: Default().with(p.settings), Repositories: p.repos, Dashboard: p.dashboard}, nil
}

type parser struct {
	file      string
	errs      Errors
	settings  []setting
	repos     Repositories
	dashboard Dashboard
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) add(key string, apply func(*Config)) {
	p.settings = append(p.settings, setting{key: key, apply: apply})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) document(data []byte, org bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		return
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return // comments only
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.errs = append(p.errs, &Error{File: p.file, Line: line, Message: "invalid YAML: " + m[2]})
			return
		}
		p.errorf(nil, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "only one YAML document is allowed")
		return
	}
	if len(doc.Content) == 0 {
		return // comments only
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return
	}
	p.mapping(root, "", topKeys(org), func(key string, k, v *yaml.Node) {
		p.topLevel(key, k, v, org)
	})
}

func topKeys(org bool) []string {
	keys := []string{"mode", "fail-on", "remediations", "exempt", "paths-ignore",
		"security-contact", "dependabot", "branch-protection", "security-policy"}
	if org {
		keys = append(keys, "repositories", "dashboard")
	}
	return keys
}

// mapping walks a mapping node, rejecting duplicate and unknown keys (the
// message lists the valid ones) and calling fn for each known key.
func (p *parser) mapping(n *yaml.Node, where string, valid []string, fn func(key string, k, v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping, not %s", describe(where), kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		name := k.Value
		switch {
		case seen[name]:
			p.errorf(k, "duplicate key %q", qualify(where, name))
			continue
		case !slices.Contains(valid, name):
			if where == "" && (name == "repositories" || name == "dashboard") {
				p.errorf(k, "%q is only allowed in the organisation's file (%s in the org's .github repository)", name, File)
				continue
			}
			p.errorf(k, "unknown key %q (valid keys%s: %s)", qualify(where, name), inWhere(where), strings.Join(valid, ", "))
			continue
		}
		seen[name] = true
		fn(name, k, v)
	}
}

func (p *parser) topLevel(key string, k, v *yaml.Node, org bool) {
	switch key {
	case "mode":
		if s, ok := p.enum(v, key, []string{string(ModePR), string(ModeReport)}); ok {
			p.add(key, func(c *Config) { c.Mode = Mode(s) })
		}
	case "fail-on":
		if s, ok := p.str(v, key); ok {
			t, err := checks.ParseFailOn(s)
			if err != nil {
				p.errorf(v, "%s: invalid value %q (valid: %s)", key, s, strings.Join(checks.FailOnLevels(), ", "))
				return
			}
			p.add(key, func(c *Config) { c.FailOn = t })
		}
	case "remediations":
		p.mapping(v, key, checks.RemediationIDs(), func(id string, _, bv *yaml.Node) {
			if b, ok := p.boolean(bv, key+"."+id); ok {
				p.add(key+"."+id, func(c *Config) { c.Remediations[id] = b })
			}
		})
	case "exempt":
		if l, ok := p.globs(v, key); ok {
			p.add(key, func(c *Config) { c.ExemptPatterns = slices.Clone(l) })
		}
	case "paths-ignore":
		if l, ok := p.globs(v, key); ok {
			p.add(key, func(c *Config) { c.PathsIgnore = slices.Clone(l) })
		}
	case "security-contact":
		if s, ok := p.str(v, key); ok {
			p.add(key, func(c *Config) { c.SecurityContact = s })
		}
	case "dependabot":
		p.dependabot(v)
	case "security-policy":
		p.securityPolicy(v)
	case "branch-protection":
		p.branchProtection(v)
	case "repositories":
		p.repositories(v)
	case "dashboard":
		p.dashboardBlock(v)
	}
}

func (p *parser) branchProtection(n *yaml.Node) {
	const where = "branch-protection"
	valid := []string{"required-approvals", "dismiss-stale-reviews", "require-code-owner-review",
		"required-status-checks", "require-signed-commits", "block-force-pushes"}
	p.mapping(n, where, valid, func(key string, _, v *yaml.Node) {
		full := where + "." + key
		switch key {
		case "required-approvals":
			if i, ok := p.integer(v, full, 0, 6); ok {
				p.add(full, func(c *Config) { c.BranchProtection.RequiredApprovals = i })
			}
		case "required-status-checks":
			if l, ok := p.strings(v, full); ok {
				p.add(full, func(c *Config) { c.BranchProtection.RequiredStatusChecks = slices.Clone(l) })
			}
		default:
			b, ok := p.boolean(v, full)
			if !ok {
				return
			}
			bp := map[string]func(*BranchProtectionConfig){
				"dismiss-stale-reviews":     func(x *BranchProtectionConfig) { x.DismissStaleReviews = b },
				"require-code-owner-review": func(x *BranchProtectionConfig) { x.RequireCodeOwnerReview = b },
				"require-signed-commits":    func(x *BranchProtectionConfig) { x.RequireSignedCommits = b },
				"block-force-pushes":        func(x *BranchProtectionConfig) { x.BlockForcePushes = b },
			}[key]
			p.add(full, func(c *Config) { bp(&c.BranchProtection) })
		}
	})
}

func (p *parser) repositories(n *yaml.Node) {
	const where = "repositories"
	p.mapping(n, where, []string{"opt-in", "opt-out", "allow-repo-override"}, func(key string, _, v *yaml.Node) {
		full := where + "." + key
		switch key {
		case "opt-in":
			if l, ok := p.globs(v, full); ok {
				p.repos.OptIn = l
			}
		case "opt-out":
			if l, ok := p.globs(v, full); ok {
				p.repos.OptOut = l
			}
		case "allow-repo-override":
			if b, ok := p.boolean(v, full); ok {
				p.repos.AllowRepoOverride = b
			}
		}
	})
}

// repoName is a repository name of the organisation (GitHub allows
// letters, digits, '-', '_' and '.'; not "." or "..").
var repoName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func (p *parser) dashboardBlock(n *yaml.Node) {
	const where = "dashboard"
	p.mapping(n, where, []string{"enabled", "repository"}, func(key string, _, v *yaml.Node) {
		full := where + "." + key
		switch key {
		case "enabled":
			if b, ok := p.boolean(v, full); ok {
				p.dashboard.Enabled = b
			}
		case "repository":
			s, ok := p.str(v, full)
			switch {
			case !ok:
			case !repoName.MatchString(s) || s == "." || s == "..":
				p.errorf(v, "%s: %q is not a repository name of the organisation (letters, digits, '-', '_', '.'; no owner)", full, s)
			default:
				p.dashboard.Repository = s
			}
		}
	})
}

func (p *parser) str(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.errorf(n, "%s must be a string, not %s", key, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) enum(n *yaml.Node, key string, valid []string) (string, bool) {
	s, ok := p.str(n, key)
	if ok && !slices.Contains(valid, s) {
		p.errorf(n, "%s: invalid value %q (valid: %s)", key, s, strings.Join(valid, ", "))
		return "", false
	}
	return s, ok
}

func (p *parser) boolean(n *yaml.Node, key string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		p.errorf(n, "%s must be true or false, not %s", key, kindName(n))
		return false, false
	}
	return b, true
}

func (p *parser) integer(n *yaml.Node, key string, lo, hi int) (int, bool) {
	var i int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
		p.errorf(n, "%s must be a whole number, not %s", key, kindName(n))
		return 0, false
	}
	if i < lo || i > hi {
		p.errorf(n, "%s must be between %d and %d, not %d", key, lo, hi, i)
		return 0, false
	}
	return i, true
}

// strings reads a list of strings; null is the empty list.
func (p *parser) strings(n *yaml.Node, key string) ([]string, bool) {
	out := []string{}
	if isNull(n) {
		return out, true
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of strings, not %s", key, kindName(n))
		return nil, false
	}
	ok := true
	for _, item := range n.Content {
		s, good := p.str(resolve(item), key+" entries")
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

func (p *parser) globs(n *yaml.Node, key string) ([]string, bool) {
	l, ok := p.strings(n, key)
	if !ok {
		return nil, false
	}
	for i, g := range l {
		if g == "" {
			p.errorf(resolve(n.Content[i]), "%s: empty pattern", key)
			ok = false
		} else if !doublestar.ValidatePattern(g) {
			p.errorf(resolve(n.Content[i]), "%s: malformed glob %q", key, g)
			ok = false
		}
	}
	return l, ok
}

var ecosystemName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

func (p *parser) ecosystems(n *yaml.Node) ([]string, bool) {
	const key = "dependabot.ecosystems"
	l, ok := p.strings(n, key)
	if !ok {
		return nil, false
	}
	for i, e := range l {
		if !ecosystemName.MatchString(e) {
			p.errorf(resolve(n.Content[i]), "%s: %q is not a Dependabot package-ecosystem name (e.g. github-actions, gomod, npm, pip, docker)", key, e)
			ok = false
		}
	}
	return l, ok
}

// resolve follows an alias to its anchor.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "the boolean " + n.Value
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	}
	return fmt.Sprintf("%s %q", n.Tag, n.Value)
}

func describe(where string) string {
	if where == "" {
		return "the file"
	}
	return where
}

func qualify(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func inWhere(where string) string {
	if where == "" {
		return ""
	}
	return " in " + where
}
