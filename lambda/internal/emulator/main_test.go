package emulator

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"os"
	"sync"
	"testing"
)

// binDir holds the bootstraps built for this test binary, each once.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hardener-bootstraps-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildMu sync.Mutex
	built   = map[string]*buildResult{}
)

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// bootstrap builds the function fn (webhook, worker, rescan) once per test
// binary and returns its binary. It skips when the emulator cannot run,
// before spending time on a build.
func bootstrap(t *testing.T, fn string) string {
	t.Helper()
	if why := Unavailable(); why != "" {
		t.Skip(why)
	}
	buildMu.Lock()
	b, ok := built[fn]
	if !ok {
		b = &buildResult{}
		built[fn] = b
	}
	buildMu.Unlock()
	b.once.Do(func() {
		b.path, b.err = Build(binDir+"/"+fn, "github.com/hardener/hardener/lambda/"+fn)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// awsEnv points the AWS SDK of a function at the fakes with test
// credentials.
func awsEnv(sqsURL, secretsURL string) []string {
	return []string{
		"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_ENDPOINT_URL_SQS=" + sqsURL,
		"AWS_ENDPOINT_URL_SSM=" + secretsURL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + secretsURL,
	}
}

const (
	jobsQueue = "https://sqs.eu-west-1.amazonaws.com/123456789012/hardener-test-jobs"
	deadQueue = "https://sqs.eu-west-1.amazonaws.com/123456789012/hardener-test-jobs-dlq"
)

func sendInput(queue, body string) *sqs.SendMessageInput {
	return &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}
}
