package knowledge

import (
	"regexp"
	"strings"
)

type scopeLevel = [2]string

// ghNeeds maps `gh <group> <command>` to the scopes it needs. Commands not
// listed make the step unknown. Issue commands also take a pull request's
// number, and then either scope does: both are needed (a fix keeps
// whichever the job has).
var ghNeeds = map[string]map[string][]scopeLevel{
	"pr": {
		"view": {{"pull-requests", Read}}, "list": {{"pull-requests", Read}}, "status": {{"pull-requests", Read}},
		"checks": {{"pull-requests", Read}, {"checks", Read}}, "diff": {{"pull-requests", Read}},
		"checkout": {{"pull-requests", Read}, {"contents", Read}},
		"create":   {{"pull-requests", Write}}, "edit": {{"pull-requests", Write}},
		"comment": {{"pull-requests", Write}}, "close": {{"pull-requests", Write}},
		"reopen": {{"pull-requests", Write}}, "ready": {{"pull-requests", Write}}, "review": {{"pull-requests", Write}},
		"merge":         {{"pull-requests", Write}, {"contents", Write}},
		"update-branch": {{"pull-requests", Write}, {"contents", Write}},
	},
	"issue": {
		"view": {{"issues", Read}}, "list": {{"issues", Read}}, "status": {{"issues", Read}},
		"create": {{"issues", Write}}, "comment": {{"issues", Write}, {"pull-requests", Write}},
		"edit": {{"issues", Write}}, "close": {{"issues", Write}}, "reopen": {{"issues", Write}},
		"delete": {{"issues", Write}}, "lock": {{"issues", Write}, {"pull-requests", Write}},
		"unlock": {{"issues", Write}, {"pull-requests", Write}}, "pin": {{"issues", Write}},
		"unpin": {{"issues", Write}}, "transfer": {{"issues", Write}},
		"develop": {{"issues", Write}, {"contents", Write}},
	},
	"release": {
		"view": {{"contents", Read}}, "list": {{"contents", Read}}, "download": {{"contents", Read}},
		"create": {{"contents", Write}}, "upload": {{"contents", Write}}, "edit": {{"contents", Write}},
		"delete": {{"contents", Write}}, "delete-asset": {{"contents", Write}},
	},
	"run": {
		"view": {{"actions", Read}}, "list": {{"actions", Read}}, "download": {{"actions", Read}},
		"watch": {{"actions", Read}}, "rerun": {{"actions", Write}}, "cancel": {{"actions", Write}},
		"delete": {{"actions", Write}},
	},
	"workflow": {
		"view": {{"actions", Read}}, "list": {{"actions", Read}},
		"run": {{"actions", Write}}, "enable": {{"actions", Write}}, "disable": {{"actions", Write}},
	},
	"cache": {"list": {{"actions", Read}}, "delete": {{"actions", Write}}},
	"label": {
		"list": {{"issues", Read}}, "create": {{"issues", Write}}, "edit": {{"issues", Write}},
		"delete": {{"issues", Write}}, "clone": {{"issues", Write}},
	},
	"repo": {"view": {{"contents", Read}}, "clone": {{"contents", Read}}},
}

// apiNeed reads `gh api [flags] endpoint`: the method is -X/--method, or
// POST when fields or an input are given (as gh does), else GET.
func apiNeed(n *scriptNeed, args []string) {
	method, endpoint, body := "", "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-X" || a == "--method":
			if i+1 < len(args) {
				method = strings.ToUpper(args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--method="):
			method = strings.ToUpper(strings.TrimPrefix(a, "--method="))
		case strings.HasPrefix(a, "-X") && len(a) > 2:
			method = strings.ToUpper(a[2:])
		case a == "-f" || a == "-F" || a == "--field" || a == "--raw-field" || a == "--input":
			body = true
			i++
		case a == "-H" || a == "--header" || a == "-q" || a == "--jq" || a == "-t" || a == "--template" ||
			a == "--hostname" || a == "-p" || a == "--preview" || a == "--cache":
			i++
		case strings.HasPrefix(a, "-"):
		case endpoint == "":
			endpoint = a
		}
	}
	if method == "" {
		method = "GET"
		if body {
			method = "POST"
		}
	}
	restNeed(n, method, endpoint, "gh api")
}

// httpNeed reads a curl (or wget, httpie) call of the REST API.
func httpNeed(n *scriptNeed, w []string) {
	method, url, body := "", "", false
	for i := 1; i < len(w); i++ {
		a := w[i]
		switch {
		case a == "-X" || a == "--request" || a == "--method":
			if i+1 < len(w) {
				method = strings.ToUpper(w[i+1])
				i++
			}
		case strings.HasPrefix(a, "-X") && len(a) > 2:
			method = strings.ToUpper(a[2:])
		case a == "-d" || a == "--data" || a == "--data-raw" || a == "--data-binary" || a == "--json" || a == "-F" ||
			a == "--form" || a == "--post-data" || a == "-T" || a == "--upload-file":
			body = true
			i++
		case a == "-H" || a == "--header" || a == "-o" || a == "--output" || a == "-u" || a == "--user":
			i++
		case strings.HasPrefix(a, "-"):
		case apiRe.MatchString(a) && url == "":
			url = a
		}
	}
	if url == "" {
		n.unknownf("`" + w[0] + "` calls the GitHub API at an address Hardener cannot read")
		return
	}
	if method == "" {
		method = "GET"
		if body {
			method = "POST"
		}
	}
	// Keep the path after the API root.
	p := url
	for _, root := range []string{"api.github.com", "GITHUB_API_URL}", "GITHUB_API_URL", "/api/v3"} {
		if i := strings.Index(p, root); i >= 0 {
			p = p[i+len(root):]
			break
		}
	}
	restNeed(n, method, p, w[0])
}

var variableRe = regexp.MustCompile(`^[$:{]|^VAR`)

// resources maps the first path segment after repos/{owner}/{repo} to
// the scopes an endpoint under it needs.
var resources = map[string][]string{
	"issues": {"issues", "pull-requests"}, "labels": {"issues"}, "milestones": {"issues"},
	"pulls": {"pull-requests"}, "releases": {"contents"}, "git": {"contents"}, "contents": {"contents"},
	"commits": {"contents"}, "branches": {"contents"}, "tags": {"contents"}, "compare": {"contents"},
	"merges": {"contents"}, "dispatches": {"contents"}, "readme": {"contents"}, "tarball": {"contents"},
	"zipball": {"contents"}, "statuses": {"statuses"}, "check-runs": {"checks"}, "check-suites": {"checks"},
	"actions": {"actions"}, "deployments": {"deployments"}, "environments": {"deployments"},
	"pages": {"pages"}, "code-scanning": {"security-events"}, "dependency-graph": {"contents"},
	"discussions": {"discussions"}, "attestations": {"attestations"}, "packages": {"packages"},
}

// restNeed maps one REST call to the scopes it needs; GET needs read, any
// other method write. What cannot be mapped makes the step unknown.
func restNeed(n *scriptNeed, method, endpoint, via string) {
	p := strings.Trim(strings.Trim(endpoint, `"'`), "/")
	p, _, _ = strings.Cut(p, "?")
	if p == "graphql" {
		n.unknownf("`" + via + "` sends a GraphQL query")
		return
	}
	segs := strings.Split(p, "/")
	if len(segs) < 2 || segs[0] != "repos" {
		n.unknownf("`" + via + " " + short(p) + "` is not an endpoint of this repository Hardener can map")
		return
	}
	// repos/{owner}/{repo}/…, or owner and name as one variable
	// ($GITHUB_REPOSITORY, ${{ github.repository }}).
	var rest []string
	switch {
	case len(segs) > 2 && variableRe.MatchString(segs[1]) && resources[segs[2]] != nil:
		rest = segs[2:]
	case len(segs) > 3:
		rest = segs[3:]
	}
	if len(rest) == 0 || rest[0] == "" {
		return // the repository itself: metadata, readable by any token
	}
	seg := rest[0]
	if seg == "commits" && len(rest) >= 3 {
		switch rest[2] { // commits/{sha}/statuses, /check-runs, /pulls
		case "statuses", "status":
			seg = "statuses"
		case "check-runs", "check-suites":
			seg = "check-runs"
		case "pulls":
			seg = "pulls"
		}
	}
	scopes, ok := resources[seg]
	if !ok || variableRe.MatchString(seg) {
		n.unknownf("`" + via + " " + short(p) + "` is not an endpoint Hardener can map to a scope")
		return
	}
	level := Read
	if method != "GET" && method != "HEAD" {
		level = Write
	}
	for _, s := range scopes {
		n.add(s, level, via+" "+method+" "+seg)
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
