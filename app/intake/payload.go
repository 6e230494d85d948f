package intake

// payload holds what routing reads from any handled event, and nothing
// else: unknown fields and fields routing ignores (timestamps, users, apps)
// are skipped whatever their form.
type payload struct {
	Action       string       `json:"action"`
	Installation installation `json:"installation"`
	Repository   repository   `json:"repository"`

	// installation and installation_repositories
	Repositories        []repository `json:"repositories"`
	RepositoriesAdded   []repository `json:"repositories_added"`
	RepositoriesRemoved []repository `json:"repositories_removed"`

	// check_suite
	CheckSuite struct {
		HeadSHA      string        `json:"head_sha"`
		HeadBranch   string        `json:"head_branch"`
		PullRequests []pullRequest `json:"pull_requests"`
	} `json:"check_suite"`

	// check_run
	CheckRun struct {
		ID           int64         `json:"id"`
		HeadSHA      string        `json:"head_sha"`
		PullRequests []pullRequest `json:"pull_requests"`
		CheckSuite   struct {
			HeadBranch string `json:"head_branch"`
		} `json:"check_suite"`
	} `json:"check_run"`
	RequestedAction struct {
		Identifier string `json:"identifier"`
	} `json:"requested_action"`

	// pull_request
	Number      int         `json:"number"`
	PullRequest pullRequest `json:"pull_request"`

	// push
	Ref     string `json:"ref"`
	After   string `json:"after"`
	Deleted bool   `json:"deleted"`
}

type installation struct {
	ID      int64 `json:"id"`
	Account struct {
		Login string `json:"login"`
	} `json:"account"`
}

type repository struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	Owner    struct {
		Login string `json:"login"`
		// Name is set instead of Login in push events' repository owner.
		Name string `json:"name"`
	} `json:"owner"`
	DefaultBranch string `json:"default_branch"`
}

// pullRequest is a pull request as events embed it: in full in
// pull_request events, reduced to number, head and base in check_suite
// and check_run events.
type pullRequest struct {
	Number int       `json:"number"`
	Head   branchRef `json:"head"`
	Base   branchRef `json:"base"`
}

type branchRef struct {
	Ref  string `json:"ref"`
	SHA  string `json:"sha"`
	Repo *struct {
		ID int64 `json:"id"`
	} `json:"repo"`
}
