// Package secretsfake is an endpoint for tests that speaks the AWS JSON 1.1
// protocol of SSM Parameter Store (AmazonSSM.GetParameter) and Secrets
// Manager (secretsmanager.GetSecretValue) to the real SDK clients. Point a
// client at URL (or set AWS_ENDPOINT_URL_SSM and
// AWS_ENDPOINT_URL_SECRETS_MANAGER for a process) and seed values with
// PutParameter and PutSecret.
package secretsfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Request is one request the fake answered.
type Request struct {
	Target         string // e.g. "AmazonSSM.GetParameter"
	Name           string // parameter name or secret id
	WithDecryption bool
}

type parameter struct {
	value  string
	secure bool
}

// Fake is the endpoint.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	params   map[string]parameter
	secrets  map[string]string // by ARN and by name
	requests []Request
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{t: t, params: map[string]parameter{}, secrets: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the endpoint of both services.
func (f *Fake) URL() string { return f.srv.URL }

// PutParameter stores an SSM parameter; secure makes it a SecureString,
// whose value is only returned with decryption requested.
func (f *Fake) PutParameter(name, value string, secure bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.params[name] = parameter{value, secure}
}

// PutSecret stores a Secrets Manager secret under name and returns its ARN;
// either finds it.
func (f *Fake) PutSecret(name, value string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf"
	f.secrets[name], f.secrets[arn] = value, value
	return arn
}

// Requests are the requests answered so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// SSM is a real SSM client that talks to the fake.
func (f *Fake) SSM() *ssm.Client {
	return ssm.New(ssm.Options{Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
}

// SecretsManager is a real Secrets Manager client that talks to the fake.
func (f *Fake) SecretsManager() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{Region: "eu-west-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
}

func awsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		f.t.Errorf("fake secrets: unexpected request %s %s target %q type %q", r.Method, r.URL, target, r.Header.Get("Content-Type"))
		awsError(w, http.StatusBadRequest, "SerializationException", "bad request")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		awsError(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "request not signed")
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
		SecretId       string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		awsError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := float64(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix())
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch target {
	case "AmazonSSM.GetParameter":
		f.requests = append(f.requests, Request{Target: target, Name: in.Name, WithDecryption: in.WithDecryption})
		p, ok := f.params[in.Name]
		if !ok {
			awsError(w, http.StatusBadRequest, "ParameterNotFound", "")
			return
		}
		typ, value := "String", p.value
		if p.secure {
			typ = "SecureString"
			if !in.WithDecryption {
				// What SSM returns: the ciphertext, not the value.
				value = base64.StdEncoding.EncodeToString([]byte("kms-ciphertext:" + in.Name))
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": in.Name, "Type": typ, "Value": value, "Version": 1, "DataType": "text",
			"ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter" + in.Name, "LastModifiedDate": now,
		}})
	case "secretsmanager.GetSecretValue":
		f.requests = append(f.requests, Request{Target: target, Name: in.SecretId})
		v, ok := f.secrets[in.SecretId]
		if !ok {
			awsError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"ARN": in.SecretId, "Name": in.SecretId, "SecretString": v, "VersionId": "v1",
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": now,
		})
	default:
		f.t.Errorf("fake secrets: operation %s not faked", target)
		awsError(w, http.StatusBadRequest, "UnknownOperationException", target)
	}
}
