package checks

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

// lowerTrust are events that run a workflow of the default branch, in the
// default branch's cache scope, on something an outsider did. Code an
// outsider gets to run there can write any cache entry (the runtime token
// of the job allows it), and every later run of the default branch or a
// tag can restore it.
var lowerTrust = []string{"pull_request_target", "issue_comment", "issues", "workflow_run", "discussion",
	"discussion_comment", "pull_request_review_comment"}

// cacheAction says when an action restores a cache: a step enables it
// when input has one of on (any non-empty value when on is nil); when
// input is absent, byDefault decides (from the action's major version).
type cacheAction struct {
	input     string
	on        []string
	off       []string
	byDefault func(major int, known bool) bool
}

func always(int, bool) bool { return true }
func never(int, bool) bool  { return false }

// cacheActions are the actions that restore a cache, with the input that
// controls it (each from the action's action.yml and README).
var cacheActions = map[string]cacheAction{
	"actions/cache":                          {input: "lookup-only", off: []string{"true"}, byDefault: always},
	"actions/cache/restore":                  {input: "lookup-only", off: []string{"true"}, byDefault: always},
	"actions/setup-node":                     {input: "cache", byDefault: never},
	"actions/setup-python":                   {input: "cache", byDefault: never},
	"actions/setup-java":                     {input: "cache", byDefault: never},
	"actions/setup-dotnet":                   {input: "cache", on: []string{"true"}, byDefault: never},
	"actions/setup-go":                       {input: "cache", off: []string{"false"}, byDefault: func(major int, known bool) bool { return !known || major >= 4 }},
	"ruby/setup-ruby":                        {input: "bundler-cache", on: []string{"true"}, byDefault: never},
	"astral-sh/setup-uv":                     {input: "enable-cache", on: []string{"true"}, byDefault: never},
	"swatinem/rust-cache":                    {input: "lookup-only", off: []string{"true"}, byDefault: always},
	"gradle/actions/setup-gradle":            {input: "cache-disabled", off: []string{"true"}, byDefault: always},
	"actions-rust-lang/setup-rust-toolchain": {input: "cache", off: []string{"false"}, byDefault: always},
	"pnpm/action-setup":                      {input: "cache", on: []string{"true"}, byDefault: never},
}

// publishing recognises jobs that publish or release.
var (
	publishCommand = regexp.MustCompile(`\bgh\s+release\s+(create|upload|edit)\b|\bdocker\s+(image\s+)?push\b|` +
		`\bgoreleaser\b[^\n]*\brelease\b|\bgem\s+push\b|\bmvn\b[^\n]*\bdeploy\b|\bgradlew?\b[^\n]*\bpublish|` +
		`\bdotnet\s+nuget\s+push\b|\bcosign\s+sign\b|\bnuget\s+push\b`)
	// publishWords are words every publishCommand contains.
	publishWords     = []string{"release", "push", "publish", "deploy", "sign"}
	publisherActions = map[string]bool{
		"pypa/gh-action-pypi-publish": true, "js-devtools/npm-publish": true, "softprops/action-gh-release": true,
		"ncipollo/release-action": true, "goreleaser/goreleaser-action": true, "rubygems/release-gem": true,
		"actions/attest-build-provenance": true, "rust-lang/crates-io-auth-action": true, "changesets/action": true,
		"docker/build-push-action": true, "redhat-actions/push-to-registry": true, "jreleaser/release-action": true,
	}
)

type cachePoisoning struct{}

func (cachePoisoning) ID() string { return RuleCachePoisoning }

// Run reports publishing and releasing jobs that restore a cache while
// some workflow of the repository lets outsiders run code in the default
// branch's cache scope: whatever that code writes to the cache ends up in
// the release (the Ultralytics compromise of December 2024 went this way).
func (cachePoisoning) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	files := Load(snap).Files
	writer := outsiderWriter(taintEngine(snap), files)
	if writer == nil {
		return nil, nil
	}
	var out []Finding
	for _, f := range files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			var caches []*workflow.Step
			for _, s := range j.Steps {
				if restoresCache(f, s) != nil {
					caches = append(caches, s)
				}
			}
			if len(caches) == 0 {
				continue
			}
			why := publishes(f.Workflow, j)
			if why == "" {
				continue
			}
			for _, s := range caches {
				at := restoresCache(f, s)
				out = append(out, Finding{Rule: RuleCachePoisoning, Severity: High, Confidence: ConfidenceMedium,
					Message: fmt.Sprintf("job %q %s and restores a cache (%s) that outsiders can write: %s, in the "+
						"default branch's cache scope that releases restore from; build publishing jobs from a clean "+
						"state (no cache) and fix that workflow", j.ID, why, s.Uses.Value, writer.Note),
					Primary: loc(f, at), Related: []Location{*writer}, Subject: s.Uses.Value})
			}
		}
	}
	return out, nil
}

// outsiderWriter returns a place where a workflow triggered by an
// outsider runs code they control (a checkout of their pull request
// followed by a build, or their text expanded into a script), or nil.
func outsiderWriter(e *engine, files []*workflow.File) *Location {
	for _, f := range files {
		w := f.Workflow
		if w == nil {
			continue
		}
		trigger := ""
		for _, t := range lowerTrust {
			if w.Has(t) {
				trigger = t
				break
			}
		}
		if trigger == "" {
			continue
		}
		for _, j := range w.Jobs {
			for i, s := range j.Steps {
				if l := untrustedCheckoutLoc(f, s); l != nil && firstRunner(j.Steps[i+1:]) != nil {
					l.Note = fmt.Sprintf("%s (%s) checks out and runs a pull request's code", f.Path, trigger)
					return l
				}
				for _, k := range sinksOf(f, j, s) {
					for _, fd := range injections(e, f, k, scope{f: f, job: j, step: i}) {
						if fd.Severity == High {
							l := fd.Primary
							l.Note = fmt.Sprintf("%s (%s) expands %s into a script", f.Path, trigger, fd.Subject)
							return &l
						}
					}
				}
			}
		}
	}
	return nil
}

// publishes says how a job publishes or releases ("" when it does not):
// an OIDC token, a publishing action or command, a registry token.
func publishes(w *workflow.Workflow, j *workflow.Job) string {
	perms := j.Permissions
	if perms == nil {
		perms = w.Permissions
	}
	if perms != nil && (perms.Level("id-token") == "write" || perms.All == "write-all") {
		return "can mint an OIDC token (id-token: write)"
	}
	for _, s := range j.Steps {
		if u, ok := usesOf(s); ok && !u.Local && publisherActions[strings.ToLower(u.Name())] {
			if u.Is("docker/build-push-action") {
				if p := s.WithValue("push"); p == nil || !strings.EqualFold(strings.TrimSpace(p.Value), "true") {
					continue
				}
			}
			return "publishes with " + u.Name()
		}
		if s.Run != nil {
			if containsAny(s.Run.Value, publishWords) {
				if m := publishCommand.FindString(s.Run.Value); m != "" {
					return "runs `" + strings.Join(strings.Fields(m), " ") + "`"
				}
			}
			for _, r := range registries {
				if r.runs(s.Run.Value) {
					return "publishes to " + r.name
				}
			}
		}
	}
	return ""
}

// restoresCache returns the value that makes a step restore a cache (its
// uses: or the input that enables caching), or nil.
func restoresCache(f *workflow.File, s *workflow.Step) *workflow.Value {
	u, ok := usesOf(s)
	if !ok || u.Local || u.Docker {
		return nil
	}
	ca, ok := cacheActions[strings.ToLower(u.Name())]
	if !ok {
		return nil
	}
	in := s.WithValue(ca.input)
	if in == nil {
		major, _, known := actionVersion(f, s.Uses, u)
		if ca.byDefault(major, known) {
			return s.Uses
		}
		return nil
	}
	v := strings.ToLower(strings.TrimSpace(in.Value))
	enabled := true
	switch {
	case contains(ca.off, v):
		enabled = false
	case ca.on != nil:
		enabled = contains(ca.on, v)
	case ca.off == nil:
		enabled = v != "" && v != "false"
	}
	if !enabled {
		return nil
	}
	if ca.input == "lookup-only" || ca.input == "cache-disabled" {
		return s.Uses // the input only turns caching off
	}
	return in
}
