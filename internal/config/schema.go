package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/hardener/hardener/checks"
)

// SchemaID is where the JSON Schema of the file is served; SchemaPath is
// the file in this repository.
const (
	SchemaID   = "https://raw.githubusercontent.com/hardener/hardener/main/schema/hardener.schema.json"
	SchemaPath = "schema/hardener.schema.json"
)

// field says what reflection cannot: what a key means and which values the
// loader accepts. Keys are dotted paths of yaml tags.
type field struct {
	desc     string
	enum     func() []string // allowed values of a string
	min, max int             // bounds of an integer
	pattern  string          // what a string must match
	keys     func() []string // the keys of a map
	items    map[string]any  // extra constraints on list items
}

var glob = map[string]any{"minLength": 1, "description": "A glob: * matches within a path segment, ** across segments."}

var fields = map[string]field{
	"mode": {desc: "pr: open hardening pull requests and apply settings; report: post check runs only (no pull requests, no settings changes).",
		enum: func() []string { return []string{string(ModePR), string(ModeReport)} }},
	"fail-on": {desc: "Pull request checks fail on findings the pull request introduces at or above this severity; never: they never fail. The command line uses it as the default of --fail-on.",
		enum: checks.FailOnLevels},
	"remediations": {desc: "Which remediations run. branch-protection and signing are off by default.",
		keys: checks.RemediationIDs},
	"exempt": {desc: "Globs over owner/repo[/path] of uses: references and images that are neither reported nor pinned.",
		items: glob},
	"paths-ignore":     {desc: "Globs over repository paths that are not scanned.", items: glob},
	"security-contact": {desc: "E-mail address or http(s) URL that SECURITY.md names for reports; empty: GitHub's private vulnerability reporting only."},
	"dependabot":       {desc: "How the dependabot remediation writes .github/dependabot.yml."},
	"dependabot.ecosystems": {desc: "Dependabot package ecosystems to add for the manifests found in the repository; github-actions is always added.",
		items: map[string]any{"pattern": ecosystemName.String()}},
	"dependabot.cooldown-days": {desc: "cooldown default-days of new entries: how many days a release must be out before Dependabot proposes it; 0 writes no cooldown.",
		max: MaxCooldownDays},
	"branch-protection":                           {desc: "The protection of the default branch that the App proposes in its pull request and then applies as the ruleset named hardener."},
	"branch-protection.required-approvals":        {desc: "Approving reviews required before merging.", max: 6},
	"branch-protection.dismiss-stale-reviews":     {desc: "Dismiss approvals when new commits are pushed."},
	"branch-protection.require-code-owner-review": {desc: "Require a review from a code owner."},
	"branch-protection.required-status-checks":    {desc: "Status checks (by name) that must pass before merging; kept alongside checks the branch already requires."},
	"branch-protection.require-signed-commits":    {desc: "Require signed commits."},
	"branch-protection.block-force-pushes":        {desc: "Block force pushes."},
	"security-policy":                             {desc: "Response times the generated SECURITY.md promises. 0 (the default) promises nothing: only commit to what the maintainers can keep."},
	"security-policy.acknowledge-days":            {desc: "Reports are acknowledged within this many business days; 0: no promise.", max: MaxPolicyDays},
	"security-policy.assessment-days":             {desc: "A first assessment is sent within this many days; 0: no promise.", max: MaxPolicyDays},
	"security-policy.disclosure-days":             {desc: "Details are disclosed at most this many days after the report; 0: no promise.", max: MaxPolicyDays},
	"repositories":                                {desc: "Organisation file only (.github/hardener.yml in the organisation's .github repository): which repositories Hardener is enabled on, and whether their own files may override the organisation's."},
	"repositories.opt-in":                         {desc: "Repository names or owner/name globs Hardener is enabled on; empty: every repository.", items: glob},
	"repositories.opt-out":                        {desc: "Repository names or globs Hardener is disabled on; wins over opt-in.", items: glob},
	"repositories.allow-repo-override":            {desc: "false: repositories' own .github/hardener.yml files are ignored."},
	"dashboard":                                   {desc: "Organisation file only: one issue, updated in place by the App, that shows where every repository of the organisation stands."},
	"dashboard.enabled":                           {desc: "Keep the dashboard issue; off by default."},
	"dashboard.repository": {desc: "The organisation's repository the issue lives in (a name, no owner). When it is public, private repositories are counted but not named.",
		pattern: repoNamePattern},
}

// repoNamePattern is repoName without "." and "..", written without
// look-ahead, which not every JSON Schema validator supports.
const repoNamePattern = `^([A-Za-z0-9_-][A-Za-z0-9._-]{0,99}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,98}|\.\.[A-Za-z0-9._-]{1,98})$`

// remediationDocs describe the keys of `remediations:`.
var remediationDocs = map[string]string{
	checks.FixPinActions:       "Pin uses: references to commit SHAs with a version comment.",
	checks.FixPinImages:        "Add digests to container images, keeping the tag.",
	checks.FixPermissions:      "Narrow workflow token permissions to what is proven needed.",
	checks.FixSecurityPolicy:   "Add SECURITY.md when the repository has no security policy.",
	checks.FixDependabot:       "Add or extend .github/dependabot.yml so pins receive updates.",
	checks.FixSigning:          "Add a release workflow that signs and attests release artifacts.",
	checks.FixBranchProtection: "Propose and apply branch protection as the ruleset named hardener.",
	checks.FixRefresh:          "Keep existing pins current: image digests follow their tags, stale version comments of pinned actions are corrected.",
}

// orgOnly are the top-level keys only the organisation file may hold, in
// the order the schema lists them.
var orgOnly = []struct {
	key string
	def reflect.Value
}{
	{"repositories", reflect.ValueOf(DefaultRepositories())},
	{"dashboard", reflect.ValueOf(DefaultDashboard())},
}

// Schema returns the JSON Schema (draft-07) of .github/hardener.yml,
// generated from the Config struct, its defaults and the field table
// above. It covers the organisation file too, so `repositories` and
// `dashboard` are allowed; the repository loader refuses them.
func Schema() ([]byte, error) {
	props, err := properties(reflect.ValueOf(Default()), "")
	if err != nil {
		return nil, err
	}
	for _, o := range orgOnly {
		s, err := schemaOf(o.def, o.key)
		if err != nil {
			return nil, err
		}
		props = append(props, kv{o.key, s})
	}
	root := obj{
		{"$schema", "http://json-schema.org/draft-07/schema#"},
		{"$id", SchemaID},
		{"title", "Hardener configuration"},
		{"description", "Configuration of Hardener (" + File + "), in a repository or in an organisation's .github repository. Unknown keys are errors."},
		{"type", []string{"object", "null"}},
		{"properties", props},
		{"additionalProperties", false},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// properties describes the yaml-tagged fields of a struct value.
func properties(v reflect.Value, prefix string) (obj, error) {
	var props obj
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" || !t.Field(i).IsExported() {
			continue
		}
		s, err := schemaOf(v.Field(i), prefix+name)
		if err != nil {
			return nil, err
		}
		props = append(props, kv{name, s})
	}
	return props, nil
}

// schemaOf describes one field from its type and its default value v.
func schemaOf(v reflect.Value, path string) (obj, error) {
	f, ok := fields[path]
	if !ok || f.desc == "" {
		return nil, fmt.Errorf("config schema: no description for %q", path)
	}
	s := obj{{"description", f.desc}}
	// A value written as text in the file (fail-on is a checks.FailOn)
	// is a string in the schema, whatever its Go representation.
	_, text := v.Interface().(fmt.Stringer)
	switch {
	case v.Kind() == reflect.String || text && v.Kind() == reflect.Struct:
		s = append(s, kv{"type", "string"})
		if f.enum != nil {
			s = append(s, kv{"enum", f.enum()})
		}
		if f.pattern != "" {
			s = append(s, kv{"pattern", f.pattern})
		}
		s = append(s, kv{"default", fmt.Sprint(v.Interface())})
		return s, nil
	}
	switch v.Kind() {
	case reflect.Bool:
		s = append(s, kv{"type", "boolean"}, kv{"default", v.Bool()})
	case reflect.Int:
		s = append(s, kv{"type", "integer"}, kv{"minimum", f.min}, kv{"maximum", f.max}, kv{"default", v.Int()})
	case reflect.Slice:
		items := obj{{"type", "string"}}
		for _, k := range slices.Sorted(maps.Keys(f.items)) {
			items = append(items, kv{k, f.items[k]})
		}
		def := []string{}
		for i := 0; i < v.Len(); i++ {
			def = append(def, v.Index(i).String())
		}
		s = append(s, kv{"type", []string{"array", "null"}}, kv{"items", items}, kv{"default", def})
	case reflect.Map:
		if f.keys == nil {
			return nil, fmt.Errorf("config schema: no keys for the map %q", path)
		}
		var props obj
		for _, k := range f.keys() {
			d, ok := remediationDocs[k]
			if !ok {
				return nil, fmt.Errorf("config schema: no description for %s.%s", path, k)
			}
			props = append(props, kv{k, obj{{"description", d}, {"type", "boolean"}, {"default", v.MapIndex(reflect.ValueOf(k)).Interface()}}})
		}
		s = append(s, kv{"type", []string{"object", "null"}}, kv{"properties", props}, kv{"additionalProperties", false})
	case reflect.Struct:
		props, err := properties(v, path+".")
		if err != nil {
			return nil, err
		}
		s = append(s, kv{"type", []string{"object", "null"}}, kv{"properties", props}, kv{"additionalProperties", false})
	default:
		return nil, fmt.Errorf("config schema: %q has the unsupported kind %s", path, v.Kind())
	}
	return s, nil
}

// obj is a JSON object that keeps its keys in order, so the schema reads
// in the order of the struct and diffs stay small.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.k)
		if err != nil {
			return nil, err
		}
		v, err := marshal(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
