package knowledge

import (
	"strings"
	"testing"
)

func TestSinksData(t *testing.T) {
	t.Parallel()
	all := Sinks()
	if len(all) < 10 {
		t.Fatalf("only %d sinks", len(all))
	}
	for _, s := range all {
		if !strings.HasPrefix(s.Docs, "https://") {
			t.Errorf("%s: docs %q is not a link", s.Uses, s.Docs)
		}
	}
	gs := SinkFor("Actions/GitHub-Script")
	if gs == nil || !gs.Runs("SCRIPT") || gs.Runs("github-token") || gs.Language != "javascript" {
		t.Errorf("actions/github-script: %+v", gs)
	}
	if SinkFor("actions/checkout") != nil {
		t.Error("checkout is not a sink")
	}
}

func TestUntrustedOutputsData(t *testing.T) {
	t.Parallel()
	cf := UntrustedOutputsOf("TJ-Actions/Changed-Files")
	if cf == nil || !cf.Carries("all_changed_files") || cf.Carries("all_changed_files_count") || cf.Carries("any_changed") {
		t.Errorf("tj-actions/changed-files: %+v", cf)
	}
	if b := UntrustedOutputsOf("xt0rted/pull-request-comment-branch"); b == nil || !b.Carries("head_ref") || b.Carries("head_sha") {
		t.Errorf("pull-request-comment-branch: %+v", b)
	}
	if UntrustedOutputsOf("actions/checkout") != nil {
		t.Error("checkout has no untrusted outputs")
	}
}
