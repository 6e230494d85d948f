package githubfake

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// codeloadPrefix is where tarball redirects point, standing in for codeload.github.com.
const codeloadPrefix = "/_codeload/"

func reposTarball(f *Fake, c *call) reply {
	ref := c.params["ref"]
	if ref == "" {
		ref = c.repo.defaultBranch
	}
	sha, ok := c.repo.resolve(ref)
	if !ok || c.repo.objects[sha].commit == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	loc := f.URL() + codeloadPrefix + c.repo.fullName() + "/legacy.tar.gz/" + sha + "?token=fake"
	return reply{status: http.StatusFound, header: map[string]string{"Location": loc}}
}

// serveCodeload serves /_codeload/{owner}/{repo}/legacy.tar.gz/{sha}.
func (f *Fake) serveCodeload(w http.ResponseWriter, r *http.Request, p string) {
	parts := strings.Split(strings.TrimPrefix(p, codeloadPrefix), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := Request{Method: r.Method, Path: p, Query: r.URL.RawQuery, OperationID: "codeload", Status: http.StatusOK}
	var body []byte
	repo := (*Repo)(nil)
	if len(parts) == 4 && parts[2] == "legacy.tar.gz" {
		repo = f.repos[strings.ToLower(parts[0]+"/"+parts[1])]
	}
	if repo == nil || repo.objects[parts[3]] == nil || repo.objects[parts[3]].commit == nil {
		rec.Status = http.StatusNotFound
	} else {
		body = repo.tarball(parts[3])
	}
	f.requests = append(f.requests, rec)
	if rec.Status != http.StatusOK {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-gzip")
	w.Header().Set("Content-Disposition", "attachment; filename="+r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]+".tar.gz")
	_, _ = w.Write(body)
}

type attrRule struct {
	pattern string
	attrs   map[string]bool
}

func parseAttributes(src string) []attrRule {
	var out []attrRule
	for _, line := range strings.Split(src, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		rule := attrRule{pattern: fields[0], attrs: map[string]bool{}}
		for _, a := range fields[1:] {
			switch {
			case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "!"):
				rule.attrs[a[1:]] = false
			default:
				rule.attrs[strings.SplitN(a, "=", 2)[0]] = true
			}
		}
		out = append(out, rule)
	}
	return out
}

// attrMatch applies gitattributes pattern rules to p (or to any of its parent folders).
func attrMatch(pattern, p string) bool {
	pattern = strings.TrimSuffix(pattern, "/")
	anchored := strings.Contains(pattern, "/")
	pattern = strings.TrimPrefix(pattern, "/")
	if strings.HasSuffix(pattern, "/**") {
		pre := strings.TrimSuffix(pattern, "/**")
		return strings.HasPrefix(p, pre+"/")
	}
	segs := strings.Split(p, "/")
	for i := range segs {
		prefix := strings.Join(segs[:i+1], "/")
		if anchored {
			if ok, _ := path.Match(pattern, prefix); ok {
				return true
			}
		} else if ok, _ := path.Match(pattern, segs[i]); ok {
			return true
		}
	}
	return false
}

func attr(rules []attrRule, p, name string) bool {
	set := false
	for _, r := range rules { // later lines win, as in git
		if v, ok := r.attrs[name]; ok && attrMatch(r.pattern, p) {
			set = v
		}
	}
	return set
}

var formatRe = regexp.MustCompile(`\$Format:([^$]*)\$`)

func (r *Repo) subst(data []byte, sha string) []byte {
	c := r.objects[sha].commit
	return formatRe.ReplaceAllFunc(data, func(m []byte) []byte {
		f := string(formatRe.FindSubmatch(m)[1])
		repl := strings.NewReplacer("%H", sha, "%h", sha[:7], "%T", c.Tree, "%an", c.Author.Name,
			"%ae", c.Author.Email, "%s", strings.SplitN(c.Message, "\n", 2)[0],
			"%cI", c.Committer.When.UTC().Format(time.RFC3339), "%ci", c.Committer.When.UTC().Format("2006-01-02 15:04:05 -0700"))
		return []byte(repl.Replace(f))
	})
}

// tarball builds the gzip tar GitHub serves: top folder owner-repo-sha7/, honouring the
// export-ignore and export-subst attributes of the root .gitattributes.
func (r *Repo) tarball(sha string) []byte {
	c := r.objects[sha].commit
	files := map[string]fileEntry{}
	r.flatten(c.Tree, "", files)
	var rules []attrRule
	if fe, ok := files[".gitattributes"]; ok {
		rules = parseAttributes(string(r.objects[fe.SHA].data))
	}
	top := r.Owner + "-" + r.Name + "-" + sha[:7] + "/"
	var names []string
	for p := range files {
		if !attr(rules, p, "export-ignore") {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	mtime := c.Committer.When
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
		PAXRecords: map[string]string{"comment": sha}, Format: tar.FormatPAX})
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top, Mode: 0o775, ModTime: mtime})
	dirs := map[string]bool{}
	for _, p := range names {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var dirList []string
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList)
	for _, d := range dirList {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + d + "/", Mode: 0o775, ModTime: mtime})
	}
	for _, p := range names {
		fe := files[p]
		var data []byte
		if o := r.objects[fe.SHA]; o != nil {
			data = o.data
		}
		h := &tar.Header{Name: top + p, Mode: 0o664, ModTime: mtime, Size: int64(len(data)), Typeflag: tar.TypeReg}
		switch fe.Mode {
		case "100755":
			h.Mode = 0o775
		case "120000":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, string(data), 0
		case "160000":
			h.Typeflag, h.Size, h.Name = tar.TypeDir, 0, top+p+"/"
		}
		if h.Typeflag == tar.TypeReg && attr(rules, p, "export-subst") {
			data = r.subst(data, sha)
			h.Size = int64(len(data))
		}
		_ = tw.WriteHeader(h)
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write(data)
		}
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}
