package signing

import (
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/internal/repo"
)

// GoReleaserModule is the GoReleaser the generated Go workflow runs, by
// exact version through the Go module proxy: the Go checksum database
// verifies what is built, and no third-party action or moving "latest"
// is involved. .ci/run checks this repository's own configuration with
// the same version.
const GoReleaserModule = "github.com/goreleaser/goreleaser/v2@v2.17.0"

// goReleaserFiles are the configuration files GoReleaser looks for.
var goReleaserFiles = []string{".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml"}

// goReleaser is what the workflow needs to know of a GoReleaser
// configuration.
type goReleaser struct {
	File string // the configuration file
	// Checksums is the checksums file relative to the repository, or ""
	// when its name is templated (the workflow then finds it in Dist).
	Checksums string
	Dist      string
	// Signs is true when the configuration signs artifacts itself (a
	// `signs:` section); otherwise the workflow signs the checksums.
	Signs bool
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// findGoReleaser reads the repository's GoReleaser configuration, or
// returns nil when there is none or it is not a mapping.
func findGoReleaser(snap *repo.Snapshot) *goReleaser {
	for _, f := range goReleaserFiles {
		b, err := snap.ReadFile(f)
		if err != nil {
			continue
		}
		var cfg struct {
			Dist     string `yaml:"dist"`
			Checksum struct {
				NameTemplate string `yaml:"name_template"`
				Disable      any    `yaml:"disable"`
			} `yaml:"checksum"`
			Signs []any `yaml:"signs"`
		}
		if yaml.Unmarshal(b, &cfg) != nil {
			return nil
		}
		g := &goReleaser{File: f, Dist: "dist", Signs: len(cfg.Signs) > 0}
		if d := path.Clean(strings.TrimPrefix(cfg.Dist, "./")); cfg.Dist != "" && plainName.MatchString(d) {
			g.Dist = d
		} else if cfg.Dist != "" {
			return nil // a dist the workflow cannot name safely: use the plain build
		}
		switch name := cfg.Checksum.NameTemplate; {
		case name == "":
			// GoReleaser's default name is templated with the version.
		case plainName.MatchString(name):
			g.Checksums = g.Dist + "/" + name
		case strings.Contains(name, "{{"):
		default:
			return nil
		}
		if cfg.Checksum.Disable != nil && cfg.Checksum.Disable != false {
			return nil // no checksums: nothing to attest or sign by name
		}
		return g
	}
	return nil
}
