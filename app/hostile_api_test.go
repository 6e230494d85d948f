package app

import (
	"testing"
)

// The hardening PR is labelled with the documented body, {"labels": [...]};
// the fake refuses go-github's bare array, as the API description allows
// it to.
func TestHostileLabelsBody(t *testing.T) {
	h := newHarness(t, workflowFiles())
	h.install()
	prs := h.repo.PullRequests()
	if len(prs) != 1 || len(prs[0].Labels) != 1 || prs[0].Labels[0] != PRLabel {
		t.Fatalf("pull requests = %+v, want one labelled %q", prs, PRLabel)
	}
	for _, r := range h.fake.Requests() {
		if r.OperationID == "issues/add-labels" && r.Status != 200 {
			t.Errorf("add-labels answered %d", r.Status)
		}
	}
}
