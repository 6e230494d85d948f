// Package knowledge knows which GITHUB_TOKEN permissions a job needs: a
// data file of actions (actions.yml, each entry citing the action's
// documentation), the `gh`, `git push` and `docker push` commands of `run:`
// steps, and the permissions of the reusable workflows a job calls.
//
// A need that cannot be known (an action that is not in the data file, a
// script that calls the API with the token) is reported as Unknown, never
// guessed.
package knowledge

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed actions.yml
var data []byte

// Levels of access, from least to most.
const (
	None  = "none"
	Read  = "read"
	Write = "write"
)

// Scopes are the GITHUB_TOKEN permission scopes a workflow may set, sorted.
var Scopes = []string{
	"actions", "attestations", "checks", "contents", "deployments", "discussions",
	"id-token", "issues", "models", "packages", "pages", "pull-requests",
	"repository-projects", "security-events", "statuses",
}

// Rank orders levels: none (or unknown text) 0, read 1, write 2.
func Rank(level string) int {
	switch level {
	case Read:
		return 1
	case Write:
		return 2
	}
	return 0
}

// MaxLevel is the highest level a scope can be given: read for models,
// write for the others.
func MaxLevel(scope string) string {
	if scope == "models" {
		return Read
	}
	return Write
}

// Entry is what the data file says about one action or reusable workflow.
type Entry struct {
	// Uses is `owner/repo[/path]` in lower case.
	Uses string `yaml:"-"`
	// Docs is the documentation the entry is taken from.
	Docs string `yaml:"docs"`
	// Permissions are the scopes always needed (scope → read|write).
	Permissions map[string]string `yaml:"permissions"`
	// TokenInput names the input that carries the token: given another
	// token, the action needs nothing from GITHUB_TOKEN but id-token.
	TokenInput string `yaml:"token-input"`
	// Unknown says why the need depends on what the workflow asks for.
	Unknown string `yaml:"unknown"`
	// OIDC says why the action may request an OIDC token beyond what its
	// permissions and conditions say (it runs commands the workflow
	// chooses, or signs with the job's identity); a job that has
	// id-token: write keeps it.
	OIDC string `yaml:"oidc"`
	// Reusable marks a reusable workflow.
	Reusable bool        `yaml:"reusable"`
	When     []Condition `yaml:"when"`
}

// Condition adds needs when an input has a value.
type Condition struct {
	Input string `yaml:"input"`
	// Exactly one of Equals (case-insensitive), Matches (a regexp) and Set
	// (the input is given and not empty, or not given when false) applies.
	Equals      string            `yaml:"equals"`
	Matches     string            `yaml:"matches"`
	Set         *bool             `yaml:"set"`
	Permissions map[string]string `yaml:"permissions"`
	Unknown     string            `yaml:"unknown"`
	re          *regexp.Regexp
}

type file struct {
	Actions map[string]*Entry `yaml:"actions"`
}

var (
	loadOnce sync.Once
	entries  map[string]*Entry
	loadErr  error
)

func load() (map[string]*Entry, error) {
	loadOnce.Do(func() { entries, loadErr = parse(data) })
	return entries, loadErr
}

// parse reads and validates a data file.
func parse(b []byte) (map[string]*Entry, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("knowledge: actions.yml: %w", err)
	}
	out := make(map[string]*Entry, len(f.Actions))
	for name, e := range f.Actions {
		if e == nil {
			return nil, fmt.Errorf("knowledge: %s: empty entry", name)
		}
		e.Uses = strings.ToLower(name)
		if !strings.HasPrefix(e.Docs, "https://") {
			return nil, fmt.Errorf("knowledge: %s: docs must be an https URL", name)
		}
		if err := checkScopes(name, e.Permissions); err != nil {
			return nil, err
		}
		for i := range e.When {
			c := &e.When[i]
			n := 0
			if c.Equals != "" {
				n++
			}
			if c.Matches != "" {
				n++
				re, err := regexp.Compile(c.Matches)
				if err != nil {
					return nil, fmt.Errorf("knowledge: %s: %w", name, err)
				}
				c.re = re
			}
			if c.Set != nil {
				n++
			}
			if c.Input == "" || n != 1 {
				return nil, fmt.Errorf("knowledge: %s: a condition needs an input and exactly one of equals, matches, set", name)
			}
			if err := checkScopes(name, c.Permissions); err != nil {
				return nil, err
			}
		}
		if _, dup := out[e.Uses]; dup {
			return nil, fmt.Errorf("knowledge: %s: listed twice", name)
		}
		out[e.Uses] = e
	}
	return out, nil
}

func checkScopes(name string, m map[string]string) error {
	for s, l := range m {
		i := sort.SearchStrings(Scopes, s)
		if i == len(Scopes) || Scopes[i] != s {
			return fmt.Errorf("knowledge: %s: unknown scope %q", name, s)
		}
		if l != Read && l != Write || s == "id-token" && l != Write {
			return fmt.Errorf("knowledge: %s: %s: level %q", name, s, l)
		}
	}
	return nil
}

// Lookup finds the entry for a `uses:` value (`owner/repo[/path][@ref]`),
// without regard to case or ref.
func Lookup(uses string) (Entry, bool) {
	m, err := load()
	if err != nil {
		panic(err)
	}
	name, _, _ := strings.Cut(uses, "@")
	e, ok := m[strings.ToLower(strings.TrimSuffix(name, "/"))]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Input is how an action's input is set in a step: its value and whether
// it is given.
type Input func(name string) (value string, given bool)

// Needs evaluates the entry for a step whose inputs are in.
// The scopes are nil when the action needs nothing; unknown is non-empty
// when the need cannot be decided.
func (e Entry) Needs(in Input) (scopes map[string]string, unknown string) {
	scopes = map[string]string{}
	add := func(m map[string]string) {
		for s, l := range m {
			if Rank(l) > Rank(scopes[s]) {
				scopes[s] = l
			}
		}
	}
	add(e.Permissions)
	unknown = e.Unknown
	for _, c := range e.When {
		v, given := in(c.Input)
		if !c.holds(v, given) {
			continue
		}
		add(c.Permissions)
		if c.Unknown != "" && unknown == "" {
			unknown = c.Unknown
		}
	}
	if e.TokenInput != "" {
		if v, given := in(e.TokenInput); given && (otherToken(v) || !hasExpr(v) && strings.TrimSpace(v) != "") {
			// Another token does the work: only OIDC still comes from the job.
			for s := range scopes {
				if s != "id-token" {
					delete(scopes, s)
				}
			}
			unknown = ""
		}
	}
	if len(scopes) == 0 {
		scopes = nil
	}
	return scopes, unknown
}

// holds decides a condition; a value with an expression may be anything,
// so it counts as a match (granting is what keeps CI working).
func (c *Condition) holds(v string, given bool) bool {
	if c.Set != nil {
		set := given && strings.TrimSpace(v) != ""
		return set == *c.Set
	}
	if !given {
		return false
	}
	if hasExpr(v) {
		return true
	}
	if c.re != nil {
		return c.re.MatchString(strings.TrimSpace(v))
	}
	return strings.EqualFold(strings.TrimSpace(v), c.Equals)
}

func hasExpr(s string) bool { return strings.Contains(s, "${{") }

var (
	defaultTokenRe = regexp.MustCompile(`(?i)\b(github\.token|secrets\.GITHUB_TOKEN)\b`)
	anyExprRe      = regexp.MustCompile(`\$\{\{`)
)

// IsDefaultToken reports whether a value is or contains the GITHUB_TOKEN
// (`${{ github.token }}`, `${{ secrets.GITHUB_TOKEN }}`).
func IsDefaultToken(v string) bool { return defaultTokenRe.MatchString(v) }

// otherToken reports whether a value is an expression that is clearly not
// the GITHUB_TOKEN: a secret or a step output (an App token).
func otherToken(v string) bool {
	if !anyExprRe.MatchString(v) || IsDefaultToken(v) {
		return false
	}
	l := strings.ToLower(v)
	return strings.Contains(l, "secrets.") || strings.Contains(l, "steps.")
}
