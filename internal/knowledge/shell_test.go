package knowledge

import (
	"reflect"
	"testing"
)

func TestCommands(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		script string
		want   []string
	}{
		"separators":                    {"a && b || c; d | e &\nf", []string{"a", "b", "c", "d", "e", "f"}},
		"parameter expansion is a word": {`echo "${TAG#v}" ${X##*/} ${#Y}`, []string{"echo VAR VAR VAR"}},
		"expression is a word":          {`gh release create ${{ github.ref_name }}`, []string{"gh release create ${{github.ref_name}}"}},
		"command substitution": {`PR=$(gh pr view --json number) && echo "$(gh issue list)"`,
			[]string{"gh pr view --json number", "PR=VAR", "gh issue list", "echo VAR"}},
		"substitution inside a test": {`if [ "$(git rev-parse HEAD)" != "$X" ]; then exit 1; fi`,
			[]string{"git rev-parse HEAD", "if [ VAR != $X ]", "then exit 1", "fi"}},
		"backticks":         {"V=`git describe`", []string{"git describe", "V=VAR"}},
		"quotes keep":       {`echo 'a; b' "c | d"`, []string{"echo a;\x1fb c\x1f|\x1fd"}},
		"array assignment":  {"args=(\n  --project x\n  \"$T\"\n)\ngh release create \"${args[@]}\"", []string{"args=ARRAY", "gh release create VAR"}},
		"case patterns":     {"case \"$X\" in\n  a|b) gh pr view ;;\n  *) echo no ;;\nesac", []string{"case $X in", "gh pr view", "echo no", "esac"}},
		"test operators":    {`if [[ "$A" == x || "$A" == "y[bot]" ]]; then echo; fi`, []string{"if [[ $A == x || $A == y[bot] ]]", "then echo", "fi"}},
		"redirections":      {"echo x >&2 2>&1 &>/dev/null", []string{"echo x >&2 2>&1 &>/dev/null"}},
		"comments":          {"# gh pr merge\necho hi # gh release create", []string{"echo hi"}},
		"hash in a word":    {"echo a#b", []string{"echo a#b"}},
		"heredoc body":      {"cat <<EOF > f\ngh pr merge 1\nEOF\necho done", []string{"cat <<EOF > f", "echo done"}},
		"quoted heredoc":    {"cat <<-'END'\n  rm -rf /\n  END\ntrue", []string{"cat <<-END", "true"}},
		"arithmetic":        {"echo $((1 + 2))", []string{"echo VAR"}},
		"grouping":          {"{ gh pr view; } || (git push)", []string{"{ gh pr view", "}", "git push"}},
		"line continuation": {"gh release create \\\n  v1", []string{"gh release create   v1"}},
		"unterminated":      {`echo "a ${b`, []string{"echo a\x1fVAR"}},
	}
	for name, c := range cases {
		if got := commands(c.script); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q", name, got)
		}
	}
}

func TestRESTNeeds(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		script string
		want   map[string]string
		unkn   bool
	}{
		"gh api GET":               {"gh api repos/o/r/pulls/1", map[string]string{"pull-requests": Read}, false},
		"gh api POST by field":     {"gh api repos/$GITHUB_REPOSITORY/issues/$N/comments -f body=hi", map[string]string{"issues": Write, "pull-requests": Write}, false},
		"gh api method GET fields": {"gh api repos/o/r/pulls --method GET --raw-field state=all", map[string]string{"pull-requests": Read}, false},
		"gh api -X PATCH":          {"gh api -X PATCH repos/${{ github.repository }}/releases/1", map[string]string{"contents": Write}, false},
		"gh api variable repo":     {`gh api "repos/${GITHUB_REPOSITORY}/commits/${SHA}/statuses" -f state=success`, map[string]string{"statuses": Write}, false},
		"gh api check runs":        {"gh api repos/o/r/commits/abc/check-runs", map[string]string{"checks": Read}, false},
		"gh api graphql":           {"gh api graphql -f query=x", nil, true},
		"gh api other repo path":   {"gh api user", nil, true},
		"gh api admin":             {"gh api -X PUT repos/o/r/collaborators/x", nil, true},
		"gh api repo itself":       {"gh api repos/o/r", map[string]string{}, false},
		"curl POST":                {`curl -X POST -H "Authorization: Bearer $GITHUB_TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/dispatches" -d '{}'`, map[string]string{"contents": Write}, false},
		"curl GET":                 {`curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com/repos/o/r/actions/runs`, map[string]string{"actions": Read}, false},
	}
	for name, c := range cases {
		n := runNeeds(c.script, tokenDefault, true, false)
		if (n.unknown != "") != c.unkn {
			t.Errorf("%s: unknown %q", name, n.unknown)
			continue
		}
		if !c.unkn && !reflect.DeepEqual(n.scopes, c.want) && !(len(n.scopes) == 0 && len(c.want) == 0) {
			t.Errorf("%s: %v, want %v", name, n.scopes, c.want)
		}
	}
}

// FuzzRunNeeds: any script is read without a panic, and in bounded time
// (the lexer only moves forward).
func FuzzRunNeeds(f *testing.F) {
	for _, s := range []string{"gh pr edit 1 --add-label x", "a=$(b \"$(c)\")", "cat <<EOF\nx\nEOF", "case $x in a|b) y;; esac",
		`curl -X POST "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/issues/1/comments"`, "x=(a b\n c)", "`", "$(", "${", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		for _, tok := range []token{tokenUnset, tokenDefault, tokenOther} {
			runNeeds(script, tok, tok == tokenDefault, true)
		}
		scriptCalls(script)
	})
}
