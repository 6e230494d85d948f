package githubfake

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

type handlerFunc func(f *Fake, c *call) reply

// handlers are the operations with real behaviour; the rest serve GitHub's examples.
var handlers map[string]handlerFunc

func init() {
	handlers = map[string]handlerFunc{
		"git/get-ref":                                  gitGetRef,
		"git/list-matching-refs":                       gitListMatchingRefs,
		"git/get-tag":                                  gitGetTag,
		"git/get-commit":                               gitGetCommit,
		"git/get-tree":                                 gitGetTree,
		"git/get-blob":                                 gitGetBlob,
		"git/create-blob":                              gitCreateBlob,
		"git/create-tree":                              gitCreateTree,
		"git/create-commit":                            gitCreateCommit,
		"git/create-ref":                               gitCreateRef,
		"git/update-ref":                               gitUpdateRef,
		"git/delete-ref":                               gitDeleteRef,
		"repos/get":                                    reposGet,
		"repos/update":                                 reposUpdate,
		"repos/get-content":                            reposGetContent,
		"repos/get-commit":                             reposGetCommit,
		"repos/list-commits":                           reposListCommits,
		"repos/compare-commits":                        reposCompare,
		"repos/list-branches":                          reposListBranches,
		"repos/get-branch":                             reposGetBranch,
		"repos/list-tags":                              reposListTags,
		"repos/list-for-org":                           reposListForOrg,
		"repos/download-tarball-archive":               reposTarball,
		"pulls/create":                                 pullsCreate,
		"pulls/get":                                    pullsGet,
		"pulls/list":                                   pullsList,
		"pulls/update":                                 pullsUpdate,
		"pulls/list-commits":                           pullsListCommits,
		"pulls/list-files":                             pullsListFiles,
		"issues/create":                                issuesCreate,
		"issues/list-for-repo":                         issuesListForRepo,
		"issues/get":                                   issuesGet,
		"issues/update":                                issuesUpdate,
		"issues/create-comment":                        issuesCreateComment,
		"issues/list-comments":                         issuesListComments,
		"issues/update-comment":                        issuesUpdateComment,
		"issues/add-labels":                            issuesAddLabels,
		"issues/create-label":                          issuesCreateLabel,
		"issues/get-label":                             issuesGetLabel,
		"issues/list-labels-for-repo":                  issuesListLabels,
		"checks/create":                                checksCreate,
		"checks/update":                                checksUpdate,
		"checks/get":                                   checksGet,
		"checks/list-for-ref":                          checksListForRef,
		"checks/list-for-suite":                        checksListForSuite,
		"checks/create-suite":                          checksCreateSuite,
		"checks/rerequest-run":                         checksRerequest,
		"checks/rerequest-suite":                       checksRerequest,
		"repos/get-branch-protection":                  protectionGet,
		"repos/update-branch-protection":               protectionUpdate,
		"repos/delete-branch-protection":               protectionDelete,
		"repos/get-repo-rulesets":                      rulesetsList,
		"repos/get-repo-ruleset":                       rulesetGet,
		"repos/create-repo-ruleset":                    rulesetCreate,
		"repos/update-repo-ruleset":                    rulesetUpdate,
		"repos/delete-repo-ruleset":                    rulesetDelete,
		"repos/get-branch-rules":                       branchRules,
		"repos/check-private-vulnerability-reporting":  pvrGet,
		"repos/enable-private-vulnerability-reporting": pvrEnable,
		"actions/get-github-actions-default-workflow-permissions-repository": workflowPermsGet,
		"actions/set-github-actions-default-workflow-permissions-repository": workflowPermsSet,
		"security-advisories/create-repository-advisory":                     advisoryCreate,
		"security-advisories/list-repository-advisories":                     advisoryList,
		"apps/create-installation-access-token":                              appsCreateToken,
		"apps/get-installation":                                              appsGetInstallation,
		"apps/list-installations":                                            appsListInstallations,
		"apps/list-repos-accessible-to-installation":                         appsListRepos,
		"apps/get-repo-installation":                                         appsGetRepoInstallation,
		"apps/list-webhook-deliveries":                                       appsListDeliveries,
		"apps/get-webhook-delivery":                                          appsGetDelivery,
		"apps/redeliver-webhook-delivery":                                    appsRedeliver,
		graphqlOperation:                                                     func(f *Fake, c *call) reply { return f.serveGraphQL(c) },
	}
	for id, h := range extraHandlers {
		handlers[id] = h
	}
}

func decodeJSON(b []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// TreeEntryLimit makes recursive get-tree answers truncated past n entries (GitHub: 100,000).
func TreeEntryLimit(n int) Option { return func(f *Fake) { f.treeLimit = n } }

// paginate serves one page of items (per_page, page) with a GitHub-style Link header.
func (f *Fake) paginate(c *call, items []any) reply {
	per, _ := strconv.Atoi(c.query("per_page"))
	if per <= 0 {
		per = 30
	}
	if per > 100 {
		per = 100
	}
	page, _ := strconv.Atoi(c.query("page"))
	if page <= 0 {
		page = 1
	}
	last := (len(items) + per - 1) / per
	if last == 0 {
		last = 1
	}
	start, end := (page-1)*per, page*per
	start, end = min(start, len(items)), min(end, len(items))
	rp := jsonReply(http.StatusOK, append([]any{}, items[start:end]...))
	link := func(p int, rel string) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		u := url.URL{Path: c.r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s%s>; rel=%q", f.URL(), u.String(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		s := links[0]
		for _, l := range links[1:] {
			s += ", " + l
		}
		rp.header = map[string]string{"Link": s}
	}
	return rp
}

// pageStart is the index of the first item of the page paginate serves.
func pageStart(c *call) int {
	per, _ := strconv.Atoi(c.query("per_page"))
	if per <= 0 {
		per = 30
	}
	page, _ := strconv.Atoi(c.query("page"))
	return (max(page, 1) - 1) * min(per, 100)
}

// example returns GitHub's example body for opID as a map to overwrite (empty if none).
func (f *Fake) example(opID, prefer string) map[string]any {
	v, _, _ := f.spec.example(opID, prefer)
	if m, ok := v.(map[string]any); ok {
		return m
	}
	if a, ok := v.([]any); ok && len(a) > 0 {
		if m, ok := a[0].(map[string]any); ok {
			return m
		}
	}
	return map[string]any{}
}
