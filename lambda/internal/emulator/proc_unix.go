//go:build unix

package emulator

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in its own process group, so that stopping it stops
// the function the emulator started too.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
