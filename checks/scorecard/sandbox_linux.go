package scorecard

import "syscall"

const rssUnit = 1024

// sysProcAttr kills the child when the parent dies, so that no run
// outlives the process that asked for it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
