package githubfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// GitHub's limits on check-run output.
const (
	maxAnnotations = 50
	maxOutputChars = 65535
)

type checkInput struct {
	Name       *string `json:"name"`
	HeadSHA    string  `json:"head_sha"`
	Status     *string `json:"status"`
	Conclusion *string `json:"conclusion"`
	DetailsURL *string `json:"details_url"`
	ExternalID *string `json:"external_id"`
	Output     *struct {
		Title       *string          `json:"title"`
		Summary     *string          `json:"summary"`
		Text        *string          `json:"text"`
		Annotations []map[string]any `json:"annotations"`
	} `json:"output"`
	Actions []map[string]any `json:"actions"`
}

// apply writes the input to run, enforcing GitHub's output limits.
func (in *checkInput) apply(run *CheckRun) (reply, bool) {
	if o := in.Output; o != nil {
		if len(o.Annotations) > maxAnnotations {
			return errReply(http.StatusUnprocessableEntity, "Invalid request.\n\nOnly 50 annotations are allowed per request."), false
		}
		for _, s := range []*string{o.Summary, o.Text} {
			if s != nil && len([]rune(*s)) > maxOutputChars {
				return errReply(http.StatusUnprocessableEntity, "Invalid request.\n\nOnly 65535 characters are allowed; 'output.summary' or 'output.text' is longer."), false
			}
		}
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&run.Name, in.Name)
	set(&run.Status, in.Status)
	set(&run.Conclusion, in.Conclusion)
	set(&run.DetailsURL, in.DetailsURL)
	set(&run.ExternalID, in.ExternalID)
	if in.Conclusion != nil && in.Status == nil {
		run.Status = "completed"
	}
	if o := in.Output; o != nil {
		set(&run.Title, o.Title)
		set(&run.Summary, o.Summary)
		set(&run.Text, o.Text)
		run.Annotations = append(run.Annotations, o.Annotations...)
	}
	if in.Actions != nil {
		run.Actions = in.Actions
	}
	return reply{}, true
}

func (f *Fake) checkJSON(r *Repo, run *CheckRun) map[string]any {
	m := f.example("checks/get", "")
	var concl any
	if run.Conclusion != "" {
		concl = run.Conclusion
	}
	url := f.repoURL(r, fmt.Sprintf("/check-runs/%d", run.ID))
	for k, v := range map[string]any{
		"id": run.ID, "name": run.Name, "head_sha": run.HeadSHA, "status": run.Status, "conclusion": concl,
		"details_url": run.DetailsURL, "external_id": run.ExternalID, "url": url, "node_id": nodeID("CheckRun", url),
		"html_url": f.URL() + "/" + r.fullName() + fmt.Sprintf("/runs/%d", run.ID),
		"output": map[string]any{"title": run.Title, "summary": run.Summary, "text": run.Text,
			"annotations_count": len(run.Annotations), "annotations_url": url + "/annotations"},
		"check_suite":   map[string]any{"id": run.SuiteID},
		"pull_requests": []any{}, "app": appJSON(run.AppID),
	} {
		m[k] = v
	}
	return m
}

func (r *Repo) checkRun(id string) *CheckRun {
	n, _ := strconv.ParseInt(id, 10, 64)
	for _, c := range r.checkRuns {
		if c.ID == n {
			return c
		}
	}
	return nil
}

func checksCreate(f *Fake, c *call) reply {
	var in checkInput
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	sha, ok := c.repo.resolve(in.HeadSHA)
	if !ok || sha != in.HeadSHA {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: No commit found for SHA: "+in.HeadSHA)
	}
	run := &CheckRun{ID: f.newID(), HeadSHA: in.HeadSHA, Status: "queued", SuiteID: c.repo.suiteFor(f, sha), AppID: AppID}
	if rp, ok := in.apply(run); !ok {
		return rp
	}
	c.repo.checkRuns = append(c.repo.checkRuns, run)
	return jsonReply(http.StatusCreated, f.checkJSON(c.repo, run))
}

func (r *Repo) suiteFor(f *Fake, sha string) int64 {
	for id, s := range r.suites {
		if s == sha {
			return id
		}
	}
	id := f.newID()
	r.suites[id] = sha
	return id
}

func checksUpdate(f *Fake, c *call) reply {
	run := c.repo.checkRun(c.params["check_run_id"])
	if run == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	if run.AppID != AppID {
		return errReply(http.StatusForbidden, "Resource not accessible by integration")
	}
	var in checkInput
	if err := c.decode(&in); err != nil {
		return errReply(http.StatusBadRequest, "Problems parsing JSON")
	}
	cp := *run
	cp.Annotations = append([]map[string]any(nil), run.Annotations...)
	if rp, ok := in.apply(&cp); !ok {
		return rp
	}
	*run = cp
	return jsonReply(http.StatusOK, f.checkJSON(c.repo, run))
}

func checksGet(f *Fake, c *call) reply {
	run := c.repo.checkRun(c.params["check_run_id"])
	if run == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusOK, f.checkJSON(c.repo, run))
}

func (f *Fake) checkList(c *call, keep func(*CheckRun) bool) reply {
	runs := []any{}
	for i := len(c.repo.checkRuns) - 1; i >= 0; i-- { // newest first
		run := c.repo.checkRuns[i]
		if !keep(run) {
			continue
		}
		if n := c.query("check_name"); n != "" && n != run.Name {
			continue
		}
		if s := c.query("status"); s != "" && s != run.Status {
			continue
		}
		if a := c.query("app_id"); a != "" && a != strconv.FormatInt(run.AppID, 10) {
			continue
		}
		runs = append(runs, f.checkJSON(c.repo, run))
	}
	rp := f.paginate(c, runs)
	rp.body = map[string]any{"total_count": len(runs), "check_runs": rp.body}
	return rp
}

func checksListForRef(f *Fake, c *call) reply {
	sha, ok := c.repo.resolve(c.params["ref"])
	if !ok {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return f.checkList(c, func(r *CheckRun) bool { return r.HeadSHA == sha })
}

func checksListForSuite(f *Fake, c *call) reply {
	id, _ := strconv.ParseInt(c.params["check_suite_id"], 10, 64)
	return f.checkList(c, func(r *CheckRun) bool { return r.SuiteID == id })
}

func checksCreateSuite(f *Fake, c *call) reply {
	var in struct {
		HeadSHA string `json:"head_sha"`
	}
	_ = c.decode(&in)
	if _, ok := c.repo.resolve(in.HeadSHA); !ok {
		return errReply(http.StatusUnprocessableEntity, "Validation Failed: No commit found for SHA: "+in.HeadSHA)
	}
	status := http.StatusCreated
	for _, s := range c.repo.suites {
		if s == in.HeadSHA {
			status = http.StatusOK
		}
	}
	id := c.repo.suiteFor(f, in.HeadSHA)
	m := f.example("checks/create-suite", "")
	m["id"], m["head_sha"], m["status"], m["conclusion"] = id, in.HeadSHA, "queued", nil
	m["url"] = f.repoURL(c.repo, fmt.Sprintf("/check-suites/%d", id))
	return jsonReply(status, m)
}

func checksRerequest(f *Fake, c *call) reply {
	if id, ok := c.params["check_run_id"]; ok && c.repo.checkRun(id) == nil {
		return errReply(http.StatusNotFound, "Not Found")
	}
	return jsonReply(http.StatusCreated, map[string]any{})
}
