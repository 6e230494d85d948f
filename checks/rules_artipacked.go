package checks

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/hardener/hardener/internal/repo"
	"github.com/hardener/hardener/internal/workflow"
)

type artipacked struct{}

func (artipacked) ID() string { return RuleArtipacked }

// Run reports a checkout that leaves the job's token in .git/config
// followed, in the same job, by an artifact upload whose paths take in
// that .git directory.
func (artipacked) Run(_ context.Context, snap *repo.Snapshot) ([]Finding, error) {
	var out []Finding
	for _, f := range Load(snap).Files {
		if f.Workflow == nil {
			continue
		}
		for _, j := range f.Workflow.Jobs {
			var persisted []*workflow.Step
			for _, s := range j.Steps {
				u, ok := usesOf(s)
				if !ok {
					continue
				}
				switch {
				case u.Is("actions/checkout"):
					if persistsCredentials(f, s, u) {
						persisted = append(persisted, s)
					}
				case u.Is("actions/upload-artifact") && len(persisted) > 0:
					p := s.WithValue("path")
					if p == nil || !uploadsHidden(f, s, u) {
						continue
					}
					for _, co := range persisted {
						dir := ""
						if v := co.WithValue("path"); v != nil {
							dir = v.Value
						}
						if !coversGit(p.Value, dir) {
							continue
						}
						out = append(out, Finding{Rule: RuleArtipacked, Severity: Medium, Confidence: ConfidenceHigh,
							Message: fmt.Sprintf("job %q checks out with the token kept in .git/config and then uploads "+
								"an artifact whose path %q takes in that .git directory: anyone who can download the "+
								"artifact gets the token; set persist-credentials: false on the checkout", j.ID, strings.TrimSpace(p.Value)),
							Primary: loc(f, co.Uses), Related: []Location{related(f, p, "uploads the checkout")}})
					}
				}
			}
		}
	}
	return out, nil
}

func usesOf(s *workflow.Step) (Uses, bool) {
	if s.Uses == nil {
		return Uses{}, false
	}
	return ParseUses(s.Uses.Value)
}

// Is reports whether the reference names the action (owner/repo[/path],
// without case).
func (u Uses) Is(name string) bool { return !u.Local && !u.Docker && strings.EqualFold(u.Name(), name) }

func related(f *workflow.File, v *workflow.Value, note string) Location {
	l := loc(f, v)
	l.Note = note
	return l
}

// persistsCredentials reports whether a checkout writes the token into
// .git/config: before v6, unless `persist-credentials: false`.
func persistsCredentials(f *workflow.File, s *workflow.Step, u Uses) bool {
	if pc := s.WithValue("persist-credentials"); pc != nil && strings.EqualFold(strings.TrimSpace(pc.Value), "false") {
		return false
	}
	major, _, ok := actionVersion(f, s.Uses, u)
	return !ok || major < 6
}

// uploadsHidden reports whether upload-artifact takes in hidden files such
// as .git: always before v4.4.0, since then only with include-hidden-files.
// A version that cannot be read from the ref or its comment is taken as a
// current one.
func uploadsHidden(f *workflow.File, s *workflow.Step, u Uses) bool {
	if v := s.WithValue("include-hidden-files"); v != nil && strings.EqualFold(strings.TrimSpace(v.Value), "true") {
		return true
	}
	major, minor, ok := actionVersion(f, s.Uses, u)
	return ok && (major < 4 || major == 4 && minor < 4)
}

var versionParts = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?`)

// actionVersion reads major.minor from a tag ref or, for a SHA pin, from
// its version comment; a bare major (`v4`) floats to the latest minor.
func actionVersion(f *workflow.File, v *workflow.Value, u Uses) (major, minor int, ok bool) {
	ver := u.Ref
	if IsSHA(ver) {
		ver = versionComment(f, v)
	}
	m := versionParts.FindStringSubmatch(ver)
	if m == nil {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(m[1])
	minor = 1 << 20 // a floating major tag
	if m[2] != "" {
		minor, _ = strconv.Atoi(m[2])
	}
	return major, minor, true
}

// coversGit reports whether the upload's path list takes in the .git
// directory of a checkout into dir ("" for the workspace root): the root
// itself, a glob over it, or the checkout's directory, unless a `!`
// entry leaves .git out.
func coversGit(paths, dir string) bool {
	dir = cleanRel(dir)
	covered := false
	for _, line := range strings.Split(paths, "\n") {
		p := strings.Trim(strings.TrimSpace(line), `"'`)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.HasPrefix(p, "!") {
			if ex := cleanRel(p[1:]); ex == ".git" || strings.HasSuffix(ex, "/.git") || strings.Contains(ex, ".git/") ||
				strings.HasSuffix(ex, ".git*") {
				return false
			}
			continue
		}
		p = cleanRel(p)
		switch {
		case p == "." || p == ".git" || strings.HasPrefix(p, ".git/"):
			covered = true
		case strings.ContainsAny(p, "*?["):
			if globTakesGit(p, dir) {
				covered = true
			}
		case dir != "." && p == dir:
			covered = true
		case dir != "." && strings.HasPrefix(dir, p+"/"):
			covered = true // a parent of the checkout
		}
	}
	return covered
}

// globTakesGit reports whether an upload glob matches the checkout's
// .git directory, a file in it, or a directory above it (a matched
// directory is uploaded whole). `**/coverage/*.xml` matches none of
// them; `*`, `**` and `src/*` for a checkout into src do.
func globTakesGit(glob, dir string) bool {
	var cands []string
	if dir != "." {
		parts := strings.Split(dir, "/")
		for i := range parts {
			cands = append(cands, strings.Join(parts[:i+1], "/"))
		}
	}
	git := path.Join(dir, ".git")
	cands = append(cands, git, git+"/config")
	pat := strings.Split(glob, "/")
	for _, c := range cands {
		if matchSegments(pat, strings.Split(c, "/")) {
			return true
		}
	}
	return false
}

// matchSegments matches path segments against glob segments, where `**`
// stands for any number of segments and the others follow path.Match
// (whose `*` also matches a leading dot, as upload-artifact's globs do).
func matchSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegments(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return err == nil && ok && matchSegments(pat[1:], name[1:])
}

// cleanRel turns an upload path into a slash path relative to the
// workspace: `${{ github.workspace }}/x`, `./x` and `x/` give `x`.
func cleanRel(p string) string {
	p = strings.TrimSpace(p)
	for _, ws := range []string{"${{ github.workspace }}", "${{github.workspace}}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"} {
		if strings.HasPrefix(p, ws) {
			p = "." + strings.TrimPrefix(p, ws)
		}
	}
	if p == "" {
		return "."
	}
	return path.Clean(p)
}

// versionComment returns the version named in the comment after a value
// (`# v4.2.2`, `# tag=v4`), or "".
func versionComment(f *workflow.File, v *workflow.Value) string {
	if v.End < 0 {
		return ""
	}
	line, _ := f.Source.Position(v.End)
	rest := string(f.Source.Src[v.End:f.Source.LineEnd(line)])
	_, c, ok := strings.Cut(rest, "#")
	if !ok {
		return ""
	}
	c = strings.TrimSpace(c)
	c = strings.TrimPrefix(c, "tag=")
	c = strings.TrimPrefix(c, "tag:")
	c, _, _ = strings.Cut(c, " ")
	c = strings.TrimSpace(c)
	if !versionLike.MatchString(c) {
		return "" // a human comment, not a version
	}
	return c
}

var versionLike = regexp.MustCompile(`^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$`)
