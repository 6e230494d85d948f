package main

import (
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
)

// Set by release builds (see .goreleaser.yaml):
// -ldflags "-X main.buildVersion=v1.2.3 -X main.buildCommit=<sha>".
// Other builds leave them empty and the Go build information is used.
var buildVersion, buildCommit string

// version and commit describe this binary; SARIF and the App's logs carry
// the version.
var version, commit = describe(buildVersion, buildCommit, buildInfo())

func buildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// pseudoCommit is the commit at the end of a pseudo-version
// (v0.0.0-20250101120000-abcdef123456), which is all a module build made
// by `go install …@<commit>` knows of its commit.
var pseudoCommit = regexp.MustCompile(`-(?:0\.)?\d{14}-([0-9a-f]{12})(?:\+incompatible)?$`)

// describe picks the version and commit: release ldflags first, then the
// module version `go install …@vX` records, then the VCS stamp of a build
// in a checkout. Unknown parts are "dev" and "unknown".
func describe(ldVersion, ldCommit string, bi *debug.BuildInfo) (string, string) {
	v, c := ldVersion, ldCommit
	var revision string
	var modified bool
	if bi != nil {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if c == "" && revision != "" {
		c = revision
		if modified {
			c += "-dirty"
		}
	}
	if c == "" {
		if m := pseudoCommit.FindStringSubmatch(v); m != nil {
			c = m[1]
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	return v, c
}

func versionCmd(stdout io.Writer) int {
	fmt.Fprintf(stdout, "hardener %s\ncommit: %s\ngo: %s %s/%s\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
