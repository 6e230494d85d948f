//go:build unix

package scorecard

import (
	"os"
	"syscall"
)

// limitMemory caps the process's private writable memory (RLIMIT_DATA:
// heap, anonymous mappings; on Linux since 4.7): past it, allocations fail
// and the Go runtime stops the process. RLIMIT_AS would not do: the Go
// runtime reserves over a gigabyte of address space at start, without
// using it.
func limitMemory(bytes uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: bytes, Max: bytes})
}

// peakRSS is the child's largest resident set in bytes (ru_maxrss is in
// kilobytes on Linux, bytes on macOS).
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return int64(ru.Maxrss) * rssUnit
}
