package scorecard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A process that serves many installations must not run Scorecard on
// repository content in process: Scorecard's parsers have no work budget,
// and the view of view.go only hides what Hardener knows to be hostile. So
// the App runs it through Sandbox, in a child process of its own binary
// (ChildCommand) with a hard memory bound (RLIMIT_DATA, set by the child on
// itself before it reads anything, and a soft limit for the collector
// below it), a deadline
// after which the child is killed, no environment beyond what it needs
// (the App's secrets stay with the App) and every registry connection
// refused. However the child ends, the parent goes on.

// ChildCommand is the hidden subcommand that runs one Scorecard run for a
// Sandbox: `hardener __scorecard [-memory BYTES] DIR`. Every binary that
// uses Sandbox dispatches it to ChildMain.
const ChildCommand = "__scorecard"

// Defaults of Sandbox.
const (
	DefaultMemory   = 1 << 30
	DefaultTimeout  = 3 * time.Minute
	DefaultParallel = 2
	maxOutput       = 32 << 20
)

var (
	// ErrSkipped: Scorecard was not run (a pull request's head, when
	// pull requests are not scored).
	ErrSkipped = errors.New("scorecard skipped")
	// ErrFailed: the run did not produce a result (memory or time limit,
	// an error in the child).
	ErrFailed = errors.New("scorecard failed")
)

// Origin says whose content a run judges.
type Origin int

const (
	// FromBranch is content pushed by someone with write access: a
	// default branch, a hardening branch.
	FromBranch Origin = iota
	// FromPullRequest is a pull request's head, which anyone who can open
	// a pull request controls.
	FromPullRequest
)

// Process describes the child of one Sandbox run.
type Process struct {
	// PeakRSS is the child's largest resident set, in bytes.
	PeakRSS int64
	// Duration is how long the child ran.
	Duration time.Duration
}

// Sandbox runs Scorecard in child processes. The zero value uses the
// defaults and refuses pull-request heads; set fields before the first Run.
type Sandbox struct {
	// Command is the executable that serves ChildCommand (default: this
	// process's own executable).
	Command string
	// Memory bounds the child's memory (private writable mappings: its
	// heap and everything else it allocates), in bytes (default 1 GiB).
	Memory int64
	// Timeout bounds the child's run (default 3 minutes).
	Timeout time.Duration
	// Parallel bounds the children running at once (default 2).
	Parallel int
	// PullRequests allows runs on pull-request heads. Off by default:
	// Scorecard's scores of a pull request add little to Hardener's own
	// checks, and its content is anyone's.
	PullRequests bool

	once  sync.Once
	slots chan struct{}
}

func (s *Sandbox) init() {
	s.once.Do(func() {
		n := s.Parallel
		if n <= 0 {
			n = DefaultParallel
		}
		s.slots = make(chan struct{}, n)
	})
}

func (s *Sandbox) limits() (memory int64, timeout time.Duration) {
	memory, timeout = s.Memory, s.Timeout
	if memory <= 0 {
		memory = DefaultMemory
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return memory, timeout
}

// Run runs every check in Checks on the checkout in dir, in a child
// process. The error says why there is no result: ErrSkipped, ErrFailed
// (with the reason: memory limit, time limit, the child's error) or the
// context's error. Result.Process is set whenever a child ran.
func (s *Sandbox) Run(ctx context.Context, dir string, origin Origin) (Result, error) {
	if origin == FromPullRequest && !s.PullRequests {
		return Result{}, fmt.Errorf("%w: pull request heads are not scored (not configured)", ErrSkipped)
	}
	s.init()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	return s.run(ctx, dir, true)
}

func (s *Sandbox) run(ctx context.Context, dir string, filter bool) (Result, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrFailed, err)
	}
	exe := s.Command
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return Result{}, fmt.Errorf("%w: %v", ErrFailed, err)
		}
	}
	memory, timeout := s.limits()
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{ChildCommand, "-memory", strconv.FormatInt(memory, 10)}
	if !filter {
		args = append(args, "-filter=false")
	}
	cmd := exec.CommandContext(runCtx, exe, append(args, "--", abs)...)
	// Nothing of the parent's environment (tokens, keys) reaches the
	// child; a Docker config that cannot exist keeps the registry client
	// Scorecard uses from reading credentials or running helpers.
	cmd.Env = []string{"PATH=", "HOME=" + os.DevNull, "DOCKER_CONFIG=" + filepath.Join(os.DevNull, "docker")}
	cmd.Dir = abs
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = 5 * time.Second
	stdout := &capped{max: maxOutput}
	stderr := &capped{max: 16 << 10, tail: true}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err = cmd.Run()
	proc := &Process{Duration: time.Since(start)}
	if cmd.ProcessState != nil {
		proc.PeakRSS = peakRSS(cmd.ProcessState)
	}
	failed := func(format string, args ...any) (Result, error) {
		return Result{Process: proc}, fmt.Errorf("%w: "+format, append([]any{ErrFailed}, args...)...)
	}
	switch {
	case ctx.Err() != nil:
		return Result{Process: proc}, ctx.Err()
	case runCtx.Err() != nil:
		return failed("over its time limit of %s (stopped)", timeout)
	case err != nil && outOfMemory(stderr.String()):
		return failed("over its memory limit of %d MiB (stopped)", memory>>20)
	}
	if stdout.over {
		return failed("its output is larger than %d MiB", maxOutput>>20)
	}
	var out childOutput
	if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil || (out.Result == nil && out.Error == "") {
		return failed("the child process ended without a result (%v): %s", err, lastLine(stderr.String()))
	}
	if out.Error != "" {
		return failed("%s", out.Error)
	}
	out.Result.Process = proc
	return *out.Result, nil
}

// childOutput is what the child writes on stdout.
type childOutput struct {
	Result *Result `json:"result,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// ChildMain is ChildCommand: it bounds its own memory first, runs
// Scorecard on the directory in args and writes a childOutput as JSON to
// stdout. The exit status is 0 when a result or an error was written.
func ChildMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(ChildCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	memory := fs.Int64("memory", DefaultMemory, "memory limit in bytes")
	// For tests of the bounds only: shows Scorecard every file.
	filter := fs.Bool("filter", true, "hide the files Hardener refuses")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintf(stderr, "usage: %s [-memory BYTES] DIR\n", ChildCommand)
		return 2
	}
	enc := json.NewEncoder(stdout)
	if err := limitMemory(uint64(*memory)); err != nil {
		enc.Encode(childOutput{Error: "cannot bound the child's memory: " + err.Error()})
		return 0
	}
	// Collect well before the hard limit, so that a large but legitimate
	// run slows down rather than dies.
	debug.SetMemoryLimit(*memory / 2)
	runtime.GOMAXPROCS(min(runtime.GOMAXPROCS(0), 2))
	res, err := run(context.Background(), fs.Arg(0), *filter)
	if err != nil {
		enc.Encode(childOutput{Error: err.Error()})
		return 0
	}
	if err := enc.Encode(childOutput{Result: &res}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// outOfMemory recognises how the Go runtime (or, in a -race build, the
// race detector's) dies at its memory limit.
func outOfMemory(stderr string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "failed to create new OS thread", "failed to allocate"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// capped keeps at most max bytes: the first ones, or with tail the last.
type capped struct {
	bytes.Buffer
	max  int
	tail bool
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if c.Len()+len(p) > c.max {
		c.over = true
		if !c.tail {
			p = p[:max(0, c.max-c.Len())]
		} else {
			keep := append(c.Bytes()[max(0, c.Len()+len(p)-c.max):], p...)
			c.Reset()
			p = keep[max(0, len(keep)-c.max):]
		}
	}
	c.Buffer.Write(p)
	return n, nil
}
