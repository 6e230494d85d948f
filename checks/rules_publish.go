package checks

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// trustRegistry is a package registry that accepts trusted publishing:
// a short-lived token minted from the job's OIDC identity instead of a
// stored secret.
type trustRegistry struct {
	name string
	docs string
	// commands publish to it (or log in for publishing) from run: steps;
	// keywords are words each of them contains (a cheap test first).
	commands *regexp.Regexp
	keywords []string
	// tokenLines are run: lines that hand a token to its tools without
	// publishing (writing an .npmrc).
	tokenLines *regexp.Regexp
	// env are the variables its tools read a token from.
	env []string
	// actions publish to it, with the input that carries a token.
	actions map[string]string
}

var registries = []*trustRegistry{
	{name: "npm", docs: "https://docs.npmjs.com/trusted-publishers",
		commands: regexp.MustCompile(`\b(npm|pnpm)\s+(-\S+\s+)*publish\b|\byarn\s+(npm\s+)?publish\b|\blerna\s+publish\b|` +
			`\bchangeset\s+publish\b|\bsemantic-release\b`),
		keywords:   []string{"publish", "semantic-release"},
		tokenLines: regexp.MustCompile(`_authToken`),
		env:        []string{"NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN"},
		actions:    map[string]string{"js-devtools/npm-publish": "token", "changesets/action": ""}},
	{name: "PyPI", docs: "https://docs.pypi.org/trusted-publishers/",
		commands: regexp.MustCompile(`\btwine\s+upload\b|\buv\s+publish\b|\bpoetry\s+publish\b|\bflit\s+publish\b|\bhatch\s+publish\b|\bpdm\s+publish\b`),
		keywords: []string{"upload", "publish"},
		env:      []string{"TWINE_PASSWORD", "UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD", "POETRY_PYPI_TOKEN_PYPI", "FLIT_PASSWORD", "HATCH_INDEX_AUTH", "PDM_PUBLISH_PASSWORD"},
		actions:  map[string]string{"pypa/gh-action-pypi-publish": "password"}},
	{name: "crates.io", docs: "https://crates.io/docs/trusted-publishing",
		commands: regexp.MustCompile(`\bcargo\s+(\+\S+\s+)?(publish|login)\b`),
		keywords: []string{"cargo"},
		env:      []string{"CARGO_REGISTRY_TOKEN"}},
}

// secretRef finds `${{ secrets.NAME }}` other than the job's own token.
var secretRef = regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

type longLivedToken struct{}

func (longLivedToken) ID() string { return RuleLongLivedToken }

// Run reports jobs that publish to npm, PyPI or crates.io with a token
// from the repository's secrets: a long-lived credential that anyone who
// reads it can publish with, where the registry would accept a
// short-lived token minted for this workflow alone.
func (longLivedToken) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			if !mentionsSecrets(f.Workflow, j) {
				continue
			}
			seen := map[int]bool{}
			for _, r := range registries {
				if !publishesTo(j, r) {
					continue
				}
				for _, sp := range tokenSpans(f, j, r) {
					for _, m := range secretRef.FindAllStringSubmatchIndex(sp.text, -1) {
						name := sp.text[m[2]:m[3]]
						if strings.EqualFold(name, "GITHUB_TOKEN") {
							continue
						}
						off := sp.v.SourceOffsets(f.Source.Src, []int{sp.base + m[0]})[0]
						if seen[off] {
							continue
						}
						seen[off] = true
						out = append(out, Finding{Rule: RuleLongLivedToken, Severity: Low, Confidence: ConfidenceHigh,
							Message: fmt.Sprintf("job %q publishes to %s with secrets.%s, a long-lived token that publishes "+
								"from anywhere it leaks to; %s accepts trusted publishing from GitHub Actions (a token minted "+
								"for this workflow run, with permissions: id-token: write): %s", j.ID, r.name, name, r.name, r.docs),
							Primary: locAt(f, off, off+m[1]-m[0]), Subject: "secrets." + name})
					}
				}
			}
		}
	}
	return out, nil
}

// publishesTo reports whether a job publishes to a registry.
func publishesTo(j *workflow.Job, r *trustRegistry) bool {
	for _, s := range j.Steps {
		if s.Run != nil && r.runs(s.Run.Value) {
			return true
		}
		if u, ok := usesOf(s); ok && !u.Local {
			if _, ok := r.actions[strings.ToLower(u.Name())]; ok {
				return true
			}
		}
	}
	return false
}

// span is a piece of a value: text is v.Value[base:base+len(text)].
type span struct {
	v    *workflow.Value
	text string
	base int
}

// tokenSpans lists where a job hands a registry token to its publishing
// tools: the registry's variables in env: at any level, the token inputs
// of publishing actions, and run: lines that publish. Jobs that publish
// elsewhere (GitHub Packages, a private index) are left out: trusted
// publishing is not offered there.
func tokenSpans(f *workflow.File, j *workflow.Job, r *trustRegistry) []span {
	if !publicRegistry(f, j, r) {
		return nil
	}
	var out []span
	whole := func(v *workflow.Value) { out = append(out, span{v: v, text: v.Value}) }
	envs := [][]workflow.KV{f.Workflow.Env, j.Env}
	for _, s := range j.Steps {
		envs = append(envs, s.Env)
		if u, ok := usesOf(s); ok && !u.Local {
			if in := r.actions[strings.ToLower(u.Name())]; in != "" {
				if v := s.WithValue(in); v != nil {
					whole(v)
				}
			}
		}
		if s.Run != nil && strings.Contains(s.Run.Value, "secrets.") {
			for _, l := range splitLines(s.Run.Value) {
				if r.runs(l.text) || r.tokenLines != nil && r.tokenLines.MatchString(l.text) {
					out = append(out, span{v: s.Run, text: l.text, base: l.offset})
				}
			}
		}
	}
	for _, kvs := range envs {
		for i := range kvs {
			for _, name := range r.env {
				if strings.EqualFold(kvs[i].Key.Value, name) {
					whole(&kvs[i].Value)
				}
			}
		}
	}
	return out
}

// publicRegistry reports whether the job publishes to the public registry
// (where trusted publishing exists) rather than GitHub Packages or a
// private index.
func publicRegistry(f *workflow.File, j *workflow.Job, r *trustRegistry) bool {
	for _, s := range j.Steps {
		for _, in := range []string{"registry-url", "repository-url", "repository_url"} {
			v := s.WithValue(in)
			if v == nil {
				continue
			}
			if !publicURL(v.Value) {
				return false
			}
		}
	}
	envs := [][]workflow.KV{f.Workflow.Env, j.Env}
	for _, s := range j.Steps {
		envs = append(envs, s.Env)
		if s.Run == nil {
			continue
		}
		for _, m := range registryFlag.FindAllStringSubmatch(s.Run.Value, -1) {
			if !publicURL(m[1]) {
				return false
			}
		}
	}
	for _, kvs := range envs {
		for _, name := range []string{"TWINE_REPOSITORY_URL", "UV_PUBLISH_URL", "NPM_CONFIG_REGISTRY"} {
			if v := lookupKV(kvs, name); v != nil && !publicURL(v.Value) {
				return false
			}
		}
	}
	return true
}

// registryFlag finds the upload address a publishing command is given on
// its command line (twine --repository-url, uv --publish-url, npm
// --registry).
var registryFlag = regexp.MustCompile(`--(?:repository-url|publish-url|registry)[= ]\s*["']?([^\s"']+)`)

func publicURL(u string) bool {
	u = strings.ToLower(u)
	return strings.Contains(u, "registry.npmjs.org") || strings.Contains(u, "pypi.org")
}

// mentionsSecrets reports whether a secret reaches the job at all: in an
// env: value at any level, a with: input or a script.
func mentionsSecrets(w *workflow.Workflow, j *workflow.Job) bool {
	has := func(kvs []workflow.KV) bool {
		for i := range kvs {
			if strings.Contains(kvs[i].Value.Value, "secrets.") {
				return true
			}
		}
		return false
	}
	if has(w.Env) || has(j.Env) {
		return true
	}
	for _, s := range j.Steps {
		if has(s.Env) || has(s.With) || s.Run != nil && strings.Contains(s.Run.Value, "secrets.") {
			return true
		}
	}
	return false
}

// runs reports whether a script publishes to the registry.
func (r *trustRegistry) runs(script string) bool {
	return containsAny(script, r.keywords) && r.commands.MatchString(script)
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
