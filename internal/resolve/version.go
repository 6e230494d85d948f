package resolve

import (
	"strconv"
	"strings"
)

// version is a tag name read as a version: an optional "v", dot-separated
// numbers, an optional "-prerelease" and ignored "+build" metadata.
type version struct {
	ok     bool
	prefix string // "v", "V" or ""
	nums   []int
	pre    string
}

func parseVersion(s string) version {
	v := version{}
	if s != "" && (s[0] == 'v' || s[0] == 'V') {
		v.prefix, s = s[:1], s[1:]
	}
	s, _, _ = strings.Cut(s, "+")
	s, v.pre, _ = strings.Cut(s, "-")
	if s == "" {
		return version{}
	}
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' {
			return version{}
		}
		v.nums = append(v.nums, n)
	}
	v.ok = true
	return v
}

func (v version) major() int { return v.nums[0] }

// better reports whether tag a is a more specific name for a commit than b:
// version tags before others; stable before pre-release (a promoted
// v5.0.0-rc.1 commit is described as v5); more components (v4.2.2 over v4.2
// over v4); the prefix style of the ref being resolved
// ("v1.2.3" for "v1", "1.2.3" for "1"; "v" when unknown); higher version;
// then by name, so that the order is total.
func better(a, b tagRef, style version) bool {
	va, vb := a.ver, b.ver
	if va.ok != vb.ok {
		return va.ok
	}
	if !va.ok {
		return a.name < b.name
	}
	if (va.pre == "") != (vb.pre == "") {
		return va.pre == ""
	}
	if len(va.nums) != len(vb.nums) {
		return len(va.nums) > len(vb.nums)
	}
	want := "v"
	if style.ok {
		want = strings.ToLower(style.prefix)
	}
	if ma, mb := strings.ToLower(va.prefix) == want, strings.ToLower(vb.prefix) == want; ma != mb {
		return ma
	}
	for i := range va.nums {
		if va.nums[i] != vb.nums[i] {
			return va.nums[i] > vb.nums[i]
		}
	}
	if va.pre != vb.pre {
		return va.pre > vb.pre
	}
	return a.name < b.name
}
