//go:build !linux

package scorecard

import "syscall"

const rssUnit = 1

func sysProcAttr() *syscall.SysProcAttr { return nil }
