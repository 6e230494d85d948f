// Package emulator runs the Lambda functions' `bootstrap` binaries under
// the AWS Lambda Runtime Interface Emulator (aws-lambda-rie, a Go tool
// dependency of this module: `go tool aws-lambda-rie`), the program AWS
// ships to run a function outside Lambda: it serves the Runtime API the
// function polls and turns `POST /2015-03-31/functions/function/invocations`
// into an invocation. Tests build the binaries as scripts/build-lambda.sh
// does (for the host), start them here on free loopback ports with an
// environment that points them at fakes, and invoke them with real events.
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// InvokePath is where the emulator takes invocations.
const InvokePath = "/2015-03-31/functions/function/invocations"

// Unavailable says why the emulator cannot run here ("" when it can): it
// runs on Linux only, and `go tool` must be able to build it (the module
// must have been downloaded once).
func Unavailable() string {
	rieOnce.Do(findRIE)
	return rieWhy
}

var (
	rieOnce sync.Once
	riePath string
	rieWhy  string
)

func findRIE() {
	if runtime.GOOS != "linux" {
		rieWhy = "the Lambda Runtime Interface Emulator runs on Linux only, not " + runtime.GOOS
		return
	}
	out, err := exec.Command("go", "tool", "-n", "aws-lambda-rie").CombinedOutput()
	if err != nil {
		rieWhy = fmt.Sprintf("`go tool -n aws-lambda-rie` failed (is the module downloaded? `go mod download` needs the network once): %v: %s",
			err, strings.TrimSpace(string(out)))
		return
	}
	riePath = strings.TrimSpace(string(out))
	if st, err := os.Stat(riePath); err != nil || st.IsDir() {
		rieWhy = fmt.Sprintf("aws-lambda-rie is not at %q: %v", riePath, err)
	}
}

// Build compiles the main package pkg (an import path) into dir/bootstrap
// with the flags of scripts/build-lambda.sh, for the host.
func Build(dir, pkg string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Function is one bootstrap running under the emulator.
type Function struct {
	t    testing.TB
	url  string
	cmd  *exec.Cmd
	logs *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Start runs bootstrap under the emulator with env (KEY=value; nothing of
// the test's own environment is passed on but PATH) and waits until it
// takes invocations. The function is stopped when the test ends; its
// output (the function's logs) is in Logs and shown when the test fails.
func Start(t testing.TB, bootstrap string, env ...string) *Function {
	t.Helper()
	if why := Unavailable(); why != "" {
		t.Skip(why)
	}
	addr, apiAddr := freePort(t), freePort(t)
	cmd := exec.Command(riePath, "--log-level", "error",
		"--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(),
		// Never the host's AWS profile: only what the test gives.
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}, env...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting aws-lambda-rie: %v", err)
	}
	f := &Function{t: t, url: "http://" + addr + InvokePath, cmd: cmd, logs: logs}
	t.Cleanup(func() {
		killGroup(cmd)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("function output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie did not listen on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logs is everything the emulator and the function wrote so far.
func (f *Function) Logs() string { return f.logs.String() }

// WaitLogs waits up to timeout for the logs to contain every one of subs
// (a function's output reaches the pipe after its answer) and returns the
// logs.
func (f *Function) WaitLogs(timeout time.Duration, subs ...string) (string, bool) {
	return f.WaitFor(timeout, func(logs string) bool {
		for _, s := range subs {
			if !strings.Contains(logs, s) {
				return false
			}
		}
		return true
	})
}

// WaitFor waits up to timeout for done to accept the logs and returns them.
func (f *Function) WaitFor(timeout time.Duration, done func(logs string) bool) (string, bool) {
	deadline := time.Now().Add(timeout)
	for {
		logs := f.Logs()
		if done(logs) {
			return logs, true
		}
		if time.Now().After(deadline) {
			return logs, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FunctionError is an invocation that the function answered with an error.
type FunctionError struct {
	Type, Message string
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Invoke sends event (marshalled to JSON) as one invocation and decodes the
// function's answer into out (nil: ignored). An error the function returned
// is a *FunctionError.
func (f *Function) Invoke(ctx context.Context, event, out any) error {
	payload, err := json.Marshal(event)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator answered %s: %s", resp.Status, body)
	}
	var fe struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fe) == nil && fe.ErrorMessage != "" {
		return &FunctionError{Type: fe.ErrorType, Message: fe.ErrorMessage}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decoding the function's answer %q: %w", body, err)
	}
	return nil
}

// IsFunctionError reports whether err is an error the function returned.
func IsFunctionError(err error) bool {
	var fe *FunctionError
	return errors.As(err, &fe)
}
