package secpolicy

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// maxTags caps how many refs are read from a checkout.
const maxTags = 10000

// gitTags lists the tag names of a checkout's .git directory (loose and
// packed refs), or nothing when the snapshot has no git data.
func gitTags(fsys fs.FS) []string {
	if fsys == nil {
		return nil
	}
	var tags []string
	if b, err := fs.ReadFile(fsys, ".git/packed-refs"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() && len(tags) < maxTags {
			_, ref, ok := strings.Cut(sc.Text(), " ")
			if name, isTag := strings.CutPrefix(ref, "refs/tags/"); ok && isTag {
				tags = append(tags, name)
			}
		}
	}
	_ = fs.WalkDir(fsys, ".git/refs/tags", func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(tags) >= maxTags {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			tags = append(tags, strings.TrimPrefix(p, ".git/refs/tags/"))
		}
		return nil
	})
	return tags
}

// release matches a release tag: an optional prefix ending in "v" or "/",
// then major.minor[.patch], without a pre-release suffix.
var release = regexp.MustCompile(`^(?:.*[/-])?v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?$`)

type version struct{ major, minor int }

func (v version) less(o version) bool {
	return v.major < o.major || v.major == o.major && v.minor < o.minor
}

// supported derives the supported release line from tags: the newest
// major.minor series is supported, older ones are not. Nothing is
// returned when no tag looks like a release.
func supported(tags []string) (lines []string, unsupported string) {
	var newest version
	older, found := false, false
	for _, t := range tags {
		m := release.FindStringSubmatch(path.Base(t))
		if m == nil {
			continue
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		v := version{major, minor}
		switch {
		case !found:
			newest, found = v, true
		case newest.less(v):
			newest, older = v, true
		case v.less(newest):
			older = true
		}
	}
	if !found {
		return nil, ""
	}
	lines = []string{fmt.Sprintf("%d.%d.x", newest.major, newest.minor)}
	if older {
		unsupported = fmt.Sprintf("< %d.%d", newest.major, newest.minor)
	}
	return lines, unsupported
}
