package signing

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hardener/hardener/internal/workflow"
)

// publisher is a step of an existing workflow that publishes a release.
type publisher struct {
	Ecosystem string
	File      *workflow.File
	Job       *workflow.Job
	Step      *workflow.Step
	// Kind names what publishes: "npm publish", "goreleaser", …
	Kind string
}

var (
	npmPublish  = regexp.MustCompile(`\b(?:npm|pnpm|yarn(?: npm)?) publish\b`)
	twineUpload = regexp.MustCompile(`\btwine upload\b`)
	goreleaser  = regexp.MustCompile(`\bgoreleaser\b`)
	dockerPush  = regexp.MustCompile(`\bdocker (?:image )?push\b|\bdocker buildx build\b[^\n]*--push\b`)
	ghRelease   = regexp.MustCompile(`\bgh release (?:create|upload)\b`)
)

func action(s *workflow.Step) string {
	if s.Uses == nil {
		return ""
	}
	name, _, _ := strings.Cut(s.Uses.Value, "@")
	return strings.ToLower(name)
}

// classify tells whether a step publishes, and for which ecosystem.
func classify(s *workflow.Step) (eco, kind string) {
	run := s.Run.String()
	switch a := action(s); {
	case npmPublish.MatchString(run):
		return NPM, "npm publish"
	case a == "pypa/gh-action-pypi-publish":
		return PyPI, "pypa/gh-action-pypi-publish"
	case twineUpload.MatchString(run):
		return PyPI, "twine upload"
	case a == "goreleaser/goreleaser-action" || goreleaser.MatchString(run):
		return Go, "goreleaser"
	case a == "docker/build-push-action" && pushes(s):
		return Container, "docker/build-push-action"
	case dockerPush.MatchString(run):
		return Container, "docker push"
	case a == "softprops/action-gh-release":
		return Generic, "softprops/action-gh-release"
	case ghRelease.MatchString(run):
		return Generic, "gh release"
	}
	return "", ""
}

func pushes(s *workflow.Step) bool {
	v := s.WithValue("push")
	return v != nil && (v.Value == "true" || strings.Contains(v.Value, "${{"))
}

// publishers lists every publishing step of the repository's workflows.
func publishers(files []*workflow.File) []publisher {
	var out []publisher
	for _, f := range files {
		if f.Workflow == nil {
			continue
		}
		for _, js := range f.Steps() {
			if eco, kind := classify(js.Step); eco != "" {
				out = append(out, publisher{Ecosystem: eco, File: f, Job: js.Job, Step: js.Step, Kind: kind})
			}
		}
	}
	return out
}

// covers reports whether an existing publisher releases what target t
// would: a Go binary released by goreleaser or as release assets, for
// instance.
func covers(p publisher, t target) bool {
	switch t.Ecosystem {
	case Go, Generic:
		return p.Ecosystem == Go || p.Ecosystem == Generic
	}
	return p.Ecosystem == t.Ecosystem
}

// attested reports whether the publisher's job already signs or attests.
func attested(p publisher) bool {
	for _, s := range p.Job.Steps {
		a := action(s)
		run := s.Run.String()
		if a == "actions/attest-build-provenance" || a == "actions/attest" || a == "sigstore/cosign-installer" ||
			strings.Contains(run, "--provenance") || strings.Contains(run, "cosign sign") {
			return true
		}
		if a == "pypa/gh-action-pypi-publish" && p.Job.Permissions != nil && p.Job.Permissions.Level("id-token") == "write" {
			return true // trusted publishing attests by default
		}
	}
	return false
}

func (p publisher) where() string {
	return fmt.Sprintf("%s (job %s, step %q)", p.File.Path, p.Job.ID, p.Step.Label())
}
