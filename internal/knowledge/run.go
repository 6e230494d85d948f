package knowledge

import (
	"regexp"
	"strings"
)

// token says how the GITHUB_TOKEN reaches a `run:` step.
type token int

const (
	tokenUnset   token = iota // no GH_TOKEN/GITHUB_TOKEN in the step's environment
	tokenDefault              // the GITHUB_TOKEN
	tokenOther                // another token (a secret, an App token)
)

// tokenEnvNames are the variables gh and most tools read a token from.
var tokenEnvNames = []string{"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}

// ghNeeds maps `gh <group> <command>` to the scope it needs; "" for the
// command is the group's default. Commands not listed make the step unknown.
var ghNeeds = map[string]map[string][2]string{
	"pr": {
		"view": {"pull-requests", Read}, "list": {"pull-requests", Read}, "status": {"pull-requests", Read},
		"checks": {"pull-requests", Read}, "diff": {"pull-requests", Read}, "checkout": {"pull-requests", Read},
		"create": {"pull-requests", Write}, "comment": {"pull-requests", Write}, "edit": {"pull-requests", Write},
		"close": {"pull-requests", Write}, "reopen": {"pull-requests", Write}, "ready": {"pull-requests", Write},
		"review": {"pull-requests", Write}, "merge": {"pull-requests", Write},
	},
	"issue": {
		"view": {"issues", Read}, "list": {"issues", Read}, "status": {"issues", Read},
		"create": {"issues", Write}, "comment": {"issues", Write}, "edit": {"issues", Write},
		"close": {"issues", Write}, "reopen": {"issues", Write}, "delete": {"issues", Write},
		"lock": {"issues", Write}, "unlock": {"issues", Write}, "pin": {"issues", Write},
		"unpin": {"issues", Write}, "transfer": {"issues", Write},
	},
	"release": {
		"view": {"contents", Read}, "list": {"contents", Read}, "download": {"contents", Read},
		"create": {"contents", Write}, "upload": {"contents", Write}, "edit": {"contents", Write},
		"delete": {"contents", Write}, "delete-asset": {"contents", Write},
	},
	"run": {
		"view": {"actions", Read}, "list": {"actions", Read}, "download": {"actions", Read}, "watch": {"actions", Read},
		"rerun": {"actions", Write}, "cancel": {"actions", Write}, "delete": {"actions", Write},
	},
	"workflow": {
		"view": {"actions", Read}, "list": {"actions", Read},
		"run": {"actions", Write}, "enable": {"actions", Write}, "disable": {"actions", Write},
	},
	"cache": {"list": {"actions", Read}, "delete": {"actions", Write}},
	"label": {
		"list": {"issues", Read}, "create": {"issues", Write}, "edit": {"issues", Write},
		"delete": {"issues", Write}, "clone": {"issues", Write},
	},
	"repo": {"view": {"contents", Read}, "clone": {"contents", Read}},
}

// ghExtra are scopes a gh command needs besides its group's.
var ghExtra = map[string][2]string{"pr merge": {"contents", Write}}

var (
	splitRe   = regexp.MustCompile(`&&|\|\||[;|\n(){}` + "`" + `]|\$\(`)
	apiRe     = regexp.MustCompile(`(?i)api\.github\.com|GITHUB_API_URL|GITHUB_GRAPHQL_URL|/api/v3`)
	tokenVar  = regexp.MustCompile(`\b(GH_TOKEN|GITHUB_TOKEN)\b`)
	assignRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	semRelRe  = regexp.MustCompile(`(^|[\s/])semantic-release(\s|$)`)
	prefixCmd = map[string]bool{"sudo": true, "exec": true, "time": true, "env": true, "command": true, "xargs": true}
)

// scriptNeed is what one `run:` script needs.
type scriptNeed struct {
	scopes  map[string]string
	why     map[string]string // scope → the command
	unknown string
}

// runNeeds reads a shell script. tok is how the token reaches the step,
// explicit whether the step itself is given the GITHUB_TOKEN (its env or an
// expression in the script).
func runNeeds(script string, tok token, explicit bool) scriptNeed {
	n := scriptNeed{scopes: map[string]string{}, why: map[string]string{}}
	add := func(scope, level, cmd string) {
		if Rank(level) > Rank(n.scopes[scope]) {
			n.scopes[scope] = level
			n.why[scope] = cmd
		}
	}
	usesToken := false
	script = strings.ReplaceAll(strings.ReplaceAll(script, "\\\r\n", " "), "\\\n", " ")
	for _, part := range splitRe.Split(script, -1) {
		w := words(part)
		if len(w) == 0 {
			continue
		}
		switch w[0] {
		case "gh":
			usesToken = true
			if tok == tokenOther {
				continue
			}
			group, sub := subcommands(w[1:])
			if group == "api" || group == "" {
				n.unknownf("`gh " + group + "` calls the API directly")
				continue
			}
			need, ok := ghNeeds[group][sub]
			if !ok {
				n.unknownf("`gh " + strings.TrimSpace(group+" "+sub) + "` is not in the knowledge base")
				continue
			}
			add(need[0], need[1], "gh "+group+" "+sub)
			if x, ok := ghExtra[group+" "+sub]; ok {
				add(x[0], x[1], "gh "+group+" "+sub)
			}
		case "git":
			if sub, _ := subcommands(w[1:]); sub == "push" {
				// Pushes with the credentials actions/checkout persisted.
				usesToken = true
				add("contents", Write, "git push")
			}
		case "docker", "podman", "buildah":
			sub, _ := subcommands(w[1:])
			ghcr := strings.Contains(strings.ToLower(part), "ghcr.io")
			switch {
			case sub == "login" && ghcr && tok != tokenOther && (tok == tokenDefault || explicit):
				usesToken = true
				add("packages", Write, w[0]+" login ghcr.io")
			case ghcr && (sub == "push" || strings.Contains(part, "--push")):
				usesToken = true
				add("packages", Write, w[0]+" push ghcr.io")
			case ghcr && sub == "pull":
				add("packages", Read, w[0]+" pull ghcr.io")
			}
		case "npm", "pnpm", "yarn":
			// Provenance is signed with an OIDC token from the runner
			// (docs.npmjs.com/generating-provenance-statements).
			if sub, _ := subcommands(w[1:]); sub == "publish" && strings.Contains(part, "--provenance") {
				add("id-token", Write, w[0]+" publish --provenance")
			}
		case "curl", "wget", "http", "https", "xh":
			if apiRe.MatchString(part) && (tok == tokenDefault || explicit || tokenVar.MatchString(part)) {
				usesToken = true
				n.unknownf("`" + w[0] + "` calls the GitHub API")
			}
		default:
			if semRelRe.MatchString(part) && tok == tokenDefault {
				// semantic-release's GitHub plugin publishes releases and comments.
				usesToken = true
				for _, s := range []string{"contents", "issues", "pull-requests"} {
					add(s, Write, "semantic-release")
				}
			}
		}
	}
	if !usesToken && (explicit || tok == tokenDefault && tokenVar.MatchString(script)) {
		n.unknownf("the GITHUB_TOKEN is given to a script that Hardener cannot read")
	}
	return n
}

func (n *scriptNeed) unknownf(why string) {
	if n.unknown == "" {
		n.unknown = why
	}
}

// words splits a simple command, dropping leading variable assignments
// and wrappers such as sudo.
func words(s string) []string {
	w := strings.Fields(s)
	for len(w) > 0 && (assignRe.MatchString(w[0]) || prefixCmd[w[0]]) {
		w = w[1:]
	}
	for i := range w {
		w[i] = strings.Trim(w[i], `"'`)
	}
	return w
}

// subcommands returns the first two words that are not flags, skipping the
// value of flags known to take one (`git -C dir`, `gh -R owner/repo`).
func subcommands(w []string) (first, second string) {
	var out []string
	for i := 0; i < len(w) && len(out) < 2; i++ {
		switch {
		case w[i] == "-C" || w[i] == "-c" || w[i] == "-R" || w[i] == "--repo" || w[i] == "-H" || w[i] == "--host":
			i++
		case strings.HasPrefix(w[i], "-"):
		default:
			out = append(out, w[i])
		}
	}
	for len(out) < 2 {
		out = append(out, "")
	}
	return out[0], out[1]
}
