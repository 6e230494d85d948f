package handler

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWebhookFunctionStaysLight: the webhook function must answer GitHub
// within 10 s from a cold start, so it links only the intake, not the
// scanners (Scorecard alone makes the worker binary seven times larger).
func TestWebhookFunctionStaysLight(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/hardener/hardener/lambda/webhook").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/hardener/hardener/app" || strings.HasPrefix(pkg, "github.com/ossf/scorecard") ||
			strings.HasPrefix(pkg, "github.com/hardener/hardener/checks") {
			t.Errorf("the webhook function links %s", pkg)
		}
	}
}
