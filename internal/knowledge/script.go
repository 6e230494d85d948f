package knowledge

import (
	"regexp"
	"strings"
)

// clientScopes maps an Octokit namespace of actions/github-script's
// `github` client to the scope its endpoints need (the REST API's
// grouping, https://octokit.github.io/rest.js/). repos is mapped method by
// method in repoMethods.
var clientScopes = map[string][]string{
	"issues": {"issues", "pull-requests"}, "pulls": {"pull-requests"}, "git": {"contents"},
	"checks": {"checks"}, "actions": {"actions"}, "reactions": {"issues", "pull-requests"},
	"codeScanning": {"security-events"}, "dependencyGraph": {"contents"}, "packages": {"packages"},
	"search": {}, "rateLimit": {}, "meta": {},
}

// repoMethods maps methods of `github.rest.repos` by prefix; others make
// the script unknown (many need administration, out of the token's reach).
var repoMethods = []struct{ prefix, scope string }{
	{"createCommitStatus", "statuses"}, {"listCommitStatuses", "statuses"}, {"getCombinedStatus", "statuses"},
	{"createDeployment", "deployments"}, {"listDeployment", "deployments"}, {"getDeployment", "deployments"},
	{"deleteDeployment", "deployments"}, {"getPages", "pages"}, {"createPagesDeployment", "pages"},
	{"createRelease", "contents"}, {"updateRelease", "contents"}, {"deleteRelease", "contents"},
	{"uploadReleaseAsset", "contents"}, {"deleteReleaseAsset", "contents"}, {"getRelease", "contents"},
	{"listRelease", "contents"}, {"getLatestRelease", "contents"}, {"generateReleaseNotes", "contents"},
	{"createOrUpdateFileContents", "contents"}, {"deleteFile", "contents"}, {"getContent", "contents"},
	{"merge", "contents"}, {"createDispatchEvent", "contents"}, {"compareCommits", "contents"},
	{"getCommit", "contents"}, {"listCommits", "contents"}, {"createCommitComment", "contents"},
	{"getBranch", "contents"}, {"listBranches", "contents"}, {"listTags", "contents"}, {"get", ""},
	{"listPullRequestsAssociatedWithCommit", "pull-requests"},
}

var (
	clientRe   = regexp.MustCompile(`\bgithub\b`)
	callRe     = regexp.MustCompile(`^github\.(rest\.)?([A-Za-z]+)\.([A-Za-z]+)`)
	readVerbRe = regexp.MustCompile(`^(get|list|check|compare|download|search)`)
	opaqueRe   = regexp.MustCompile(`\b(require|import|eval|Function|fetch|exec|spawn)\s*\(|\bchild_process\b|\bexec\.|\bgetOctokit\b`)
	idTokenRe  = regexp.MustCompile(`\bcore\.getIDToken\b`)
)

// githubScript reads actions/github-script's script: each call of the
// `github` client maps to a scope; anything Hardener cannot follow (the
// client passed on, another module loaded, a raw request) makes the step
// unknown.
func (a *analysis) githubScript(n *Need, in Input, label string) {
	n.basis("actions/github-script (script read)")
	if v, given := in("github-token"); given && (otherToken(v) || !hasExpr(v) && strings.TrimSpace(v) != "") {
		n.keep("id-token", "actions/github-script can request an OIDC token")
		return // another token does the work
	}
	script, _ := in("script")
	r := scriptCalls(script)
	for _, sc := range sortedKeys(r.scopes) {
		n.Add(sc, r.scopes[sc], "actions/github-script ("+r.why[sc]+")")
	}
	if r.unknown != "" {
		n.unknown(label, r.unknown)
	}
	n.keep("id-token", "actions/github-script can request an OIDC token")
}

// scriptCalls maps the client calls of a github-script script.
func scriptCalls(script string) scriptNeed {
	n := scriptNeed{scopes: map[string]string{}, why: map[string]string{}}
	if t := strings.TrimSpace(script); t == "" || strings.HasPrefix(t, "${{") && strings.HasSuffix(t, "}}") {
		n.unknownf("the script is not given in the workflow")
		return n
	}
	if m := opaqueRe.FindString(script); m != "" {
		n.unknownf("the script runs code Hardener cannot read (`" + strings.TrimRight(m, " \t(.") + "`)")
		return n
	}
	// Expressions are substituted before the script runs: text, not calls.
	script = exprRe.ReplaceAllString(script, "EXPR")
	if idTokenRe.MatchString(script) {
		n.add("id-token", Write, "core.getIDToken")
	}
	for _, loc := range clientRe.FindAllStringIndex(script, -1) {
		start, end := loc[0], loc[1]
		if start > 0 && strings.ContainsRune("./-@$", rune(script[start-1])) {
			continue // part of a URL, path or property: not the client
		}
		rest := script[start:]
		if end >= len(script) || script[end] != '.' {
			n.unknownf("the script passes the `github` client on, so its calls cannot be followed")
			return n
		}
		if strings.HasPrefix(rest, "github.paginate") {
			continue // the method it pages through is read on its own
		}
		m := callRe.FindStringSubmatch(rest)
		if m == nil {
			if strings.HasPrefix(rest, "github.graphql") || strings.HasPrefix(rest, "github.request") ||
				strings.HasPrefix(rest, "github.hook") || strings.HasPrefix(rest, "github.auth") {
				n.unknownf("the script sends a raw request or a GraphQL query")
				return n
			}
			continue // github.com, github.event…: text, not the client
		}
		viaRest, ns, method := m[1] != "", m[2], m[3]
		if _, known := clientScopes[ns]; !viaRest && !known && ns != "repos" {
			continue // github.event…, github.com: text; an old-style call of another namespace needs no scope the token has
		}
		level := Write
		if readVerbRe.MatchString(method) {
			level = Read
		}
		var scopes []string
		if ns == "repos" {
			s, ok := repoScope(method)
			if !ok {
				n.unknownf("`github.rest.repos." + method + "` is not in the knowledge base")
				return n
			}
			if s != "" {
				scopes = []string{s}
			}
		} else if sc, ok := clientScopes[ns]; ok {
			scopes = sc
		} else {
			n.unknownf("`github.rest." + ns + "` is not in the knowledge base")
			return n
		}
		for _, sc := range scopes {
			n.add(sc, level, ns+"."+method)
		}
	}
	return n
}

func repoScope(method string) (string, bool) {
	best := -1
	for i, m := range repoMethods {
		if strings.HasPrefix(method, m.prefix) && (best < 0 || len(m.prefix) > len(repoMethods[best].prefix)) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	if repoMethods[best].prefix == "get" && method != "get" {
		return "", false // only repos.get itself: metadata
	}
	return repoMethods[best].scope, true
}
