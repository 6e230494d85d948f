//go:build unix

package scorecard

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestHideFIFO: a named pipe in a checkout would block Scorecard's read
// forever; it is not shown.
func TestHideFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Dockerfile"), 0o644); err != nil {
		t.Skip(err)
	}
	hidden, skipped := hide(dir, []string{"Dockerfile"})
	if !hidden["Dockerfile"] || len(skipped) != 1 || skipped[0].Reason != "not a regular file" {
		t.Errorf("hidden %v, skipped %+v", hidden, skipped)
	}
}
