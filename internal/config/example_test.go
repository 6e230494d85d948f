package config_test

import (
	"fmt"

	"github.com/hardener/hardener/checks"
	"github.com/hardener/hardener/internal/config"
)

func ExampleParse() {
	_, err := config.Parse([]byte("mode: foo\nremediations:\n  pin-action: true\nrepositories: {opt-in: []}\n"))
	fmt.Println(err)
	// Output:
	// .github/hardener.yml:1: mode: invalid value "foo" (valid: pr, report)
	// .github/hardener.yml:3: unknown key "remediations.pin-action" (valid keys in remediations: pin-actions, pin-images, permissions, security-policy, dependabot, signing, branch-protection, refresh)
	// .github/hardener.yml:4: "repositories" is only allowed in the organisation's file (.github/hardener.yml in the org's .github repository)
}

func ExampleMerge() {
	org, _ := config.ParseOrg([]byte("fail-on: medium\nrepositories: {allow-repo-override: false}\n"))
	repo, _ := config.Parse([]byte("fail-on: never\n"))
	c, _ := config.Merge(&org, &repo)
	fmt.Println(c.FailOnOr(checks.FailAt(checks.Low)))
	fmt.Println(c.Notes[0])
	// Output:
	// medium
	// .github/hardener.yml in this repository is ignored: the organisation's file sets repositories.allow-repo-override: false
}
