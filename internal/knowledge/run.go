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

var (
	apiRe     = regexp.MustCompile(`(?i)api\.github\.com|GITHUB_API_URL|GITHUB_GRAPHQL_URL|/api/v3`)
	tokenVar  = regexp.MustCompile(`\b(GH_TOKEN|GITHUB_TOKEN)\b`)
	assignRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=`)
	redirRe   = regexp.MustCompile(`^[0-9]*(<<?|>>?|&>>?|>&|<&)`)
	semRelRe  = regexp.MustCompile(`(^|[\s/])semantic-release(\s|$)`)
	mayPushRe = regexp.MustCompile(`(?i)(^|[^-\w])(push|release|publish|deploy|bump|changeset|lerna|commit|tag)\b`)
	prefixCmd = map[string]bool{"sudo": true, "exec": true, "time": true, "env": true, "command": true, "xargs": true,
		"nohup": true, "timeout": true, "retry": true}
	// keywords start a compound command; the command follows them.
	keywords = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true,
		"until": true, "!": true, "fi": true, "done": true, "esac": true, "in": true, "{": true, "}": true}
)

// harmless are commands that do not read a token from the environment to
// call GitHub, so a script made of them (and of the commands Hardener
// understands) can be given the GITHUB_TOKEN without needing any scope.
var harmless = setOf(`echo printf cd pwd pushd popd ls cat mkdir rmdir cp mv rm ln touch chmod chown test [ [[ ]] ]
true false : exit return break continue sleep grep egrep fgrep rg sed awk jq yq tee sort uniq head tail wc tr cut
date basename dirname realpath readlink find tar gzip gunzip zip unzip xz sha1sum sha256sum sha512sum shasum md5sum
diff cmp file stat du df export set unset shift local declare typeset readonly read wait trap shopt ulimit umask type
which hash mktemp seq expr base64 for case function fi done esac then else elif do while until select cat tac rev
printenv whoami id uname hostname nproc free column fold nl od hexdump comm join paste split csplit install`)

func setOf(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}

// scriptNeed is what one `run:` script needs.
type scriptNeed struct {
	scopes  map[string]string
	why     map[string]string // scope → the command
	unknown string
	// mayPush names an unread command that may push with credentials a
	// checkout persisted (a release or publish script).
	mayPush string
}

func (n *scriptNeed) add(scope, level, cmd string) {
	if Rank(level) > Rank(n.scopes[scope]) {
		n.scopes[scope] = level
		n.why[scope] = cmd
	}
}

func (n *scriptNeed) unknownf(why string) {
	if n.unknown == "" {
		n.unknown = why
	}
}

// runNeeds reads a shell script. tok is the token gh would use;
// given says whether the GITHUB_TOKEN reaches the script at all (in any
// variable, or in its text); pushUsesToken says whether a `git push`
// would authenticate with it (a checkout persisted it, or nothing shows
// otherwise).
func runNeeds(script string, tok token, given, pushUsesToken bool) scriptNeed {
	n := scriptNeed{scopes: map[string]string{}, why: map[string]string{}}
	script = strings.ReplaceAll(strings.ReplaceAll(script, "\\\r\n", " "), "\\\n", " ")
	for _, part := range commands(script) {
		w := words(part)
		if len(w) == 0 || strings.HasPrefix(w[0], "#") {
			continue
		}
		cmd := w[0]
		switch {
		case cmd == "gh":
			if tok == tokenOther {
				continue
			}
			ghNeed(&n, w[1:])
		case cmd == "git":
			if sub, _ := subcommands(w[1:]); sub == "push" && (pushUsesToken || given) {
				n.add("contents", Write, "git push")
			}
		case cmd == "docker" || cmd == "podman" || cmd == "buildah":
			dockerNeed(&n, w, part, tok)
		case cmd == "npm" || cmd == "pnpm" || cmd == "yarn":
			// Provenance is signed with an OIDC token from the runner
			// (docs.npmjs.com/generating-provenance-statements).
			if sub, _ := subcommands(w[1:]); sub == "publish" && strings.Contains(part, "--provenance") {
				n.add("id-token", Write, cmd+" publish --provenance")
			}
			if given {
				n.unknownf("`" + cmd + "` is given the GITHUB_TOKEN and runs the package's scripts")
			} else if m := mayPushRe.FindString(part); m != "" {
				n.mayPush = strings.TrimSpace(strings.Join(w, " "))
			}
		case cmd == "curl" || cmd == "wget" || cmd == "http" || cmd == "https" || cmd == "xh":
			if apiRe.MatchString(part) && (given || tokenVar.MatchString(part)) {
				httpNeed(&n, w)
			}
		case semRelRe.MatchString(part) && given:
			// semantic-release's GitHub plugin publishes releases and comments.
			for _, s := range []string{"contents", "issues", "pull-requests"} {
				n.add(s, Write, "semantic-release")
			}
		case harmless[cmd]:
		case given:
			n.unknownf("`" + cmd + "` is given the GITHUB_TOKEN and Hardener cannot read what it does with it")
		case mayPushRe.MatchString(part):
			if n.mayPush == "" {
				n.mayPush = strings.TrimSpace(strings.Join(w, " "))
				if len(n.mayPush) > 40 {
					n.mayPush = n.mayPush[:37] + "..."
				}
			}
		}
	}
	return n
}

// ghNeed maps a gh command to the scope it needs.
func ghNeed(n *scriptNeed, args []string) {
	group, sub := subcommands(args)
	switch group {
	case "api":
		for i, a := range args {
			if a == "api" {
				apiNeed(n, args[i+1:])
				break
			}
		}
		return
	case "auth", "help", "version", "--version", "completion", "config", "alias", "status", "search", "browse":
		// Local commands, or reads any token may make.
		return
	case "":
		n.unknownf("`gh` is called with arguments Hardener cannot read")
		return
	}
	need, ok := ghNeeds[group][sub]
	if !ok {
		n.unknownf("`gh " + strings.TrimSpace(group+" "+sub) + "` is not in the knowledge base")
		return
	}
	for _, s := range need {
		n.add(s[0], s[1], "gh "+group+" "+sub)
	}
}

// dockerNeed reads docker, podman and buildah commands: GHCR logins and
// pushes need packages: write, pulls packages: read.
func dockerNeed(n *scriptNeed, w []string, part string, tok token) {
	sub, _ := subcommands(w[1:])
	ghcr := strings.Contains(strings.ToLower(part), "ghcr.io")
	switch {
	case sub == "login" && ghcr && tok != tokenOther:
		n.add("packages", Write, w[0]+" login ghcr.io")
	case ghcr && (sub == "push" || strings.Contains(part, "--push")):
		n.add("packages", Write, w[0]+" push ghcr.io")
	case ghcr && (sub == "pull" || sub == "run" || sub == "build" || sub == "buildx"):
		n.add("packages", Read, w[0]+" "+sub+" ghcr.io")
	}
	if (sub == "run" || sub == "exec" || sub == "compose") && tok == tokenDefault && tokenVar.MatchString(part) {
		n.unknownf("the GITHUB_TOKEN is passed into a container")
	}
}

// words splits a simple command, dropping leading variable assignments,
// shell keywords and wrappers such as sudo.
func words(s string) []string {
	w := strings.Fields(s)
	for len(w) > 0 {
		switch {
		case prefixCmd[w[0]]:
			w = wrapped(w[0], w[1:])
		case assignRe.MatchString(w[0]) || keywords[w[0]]:
			w = w[1:]
		case redirRe.MatchString(w[0]):
			// A leading redirection, and its target when written apart.
			if m := redirRe.FindString(w[0]); m == w[0] && len(w) > 1 {
				w = w[1:]
			}
			w = w[1:]
		default:
			return unquote(w)
		}
	}
	return w
}

// wrapperArgs are the options of wrappers such as xargs and sudo that
// take their value as the next word.
var wrapperArgs = map[string]map[string]bool{
	"xargs":   {"-I": true, "-n": true, "-P": true, "-L": true, "-d": true, "-s": true, "-a": true, "-E": true},
	"sudo":    {"-u": true, "-g": true, "-C": true, "-D": true, "-h": true, "-p": true, "-U": true},
	"env":     {"-u": true, "-C": true, "-S": true},
	"timeout": {"-s": true, "-k": true, "--signal": true, "--kill-after": true},
}

var durationRe = regexp.MustCompile(`^[0-9.]+[smhd]?$`)

// wrapped drops the options of a wrapper command (and the duration of
// timeout), leaving the command it runs.
func wrapped(wrapper string, w []string) []string {
	for len(w) > 0 && strings.HasPrefix(w[0], "-") && w[0] != "-" {
		if wrapperArgs[wrapper][w[0]] && len(w) > 1 {
			w = w[1:]
		}
		w = w[1:]
	}
	if wrapper == "timeout" && len(w) > 0 && durationRe.MatchString(w[0]) {
		w = w[1:]
	}
	return w
}

func unquote(w []string) []string {
	for i := range w {
		w[i] = strings.ReplaceAll(strings.Trim(w[i], `"'`), "\x1f", " ")
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
