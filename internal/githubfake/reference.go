package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"path"
	"sync"
	"testing"
)

// Webhook returns one of GitHub's example webhook payloads (a copy in
// testdata/webhooks/<event>/<name>), e.g. Webhook(t, "installation",
// "created.json"). Tests sign it themselves.
func Webhook(t testing.TB, event, name string) []byte {
	t.Helper()
	b, err := reference.ReadFile(path.Join("testdata", "webhooks", event, name))
	if err != nil {
		t.Fatalf("reference payload: %v", err)
	}
	return b
}

var (
	keyOnce sync.Once
	keyPEM  []byte
)

// AppKey returns an RSA private key in PEM for the App's JWTs, generated
// once per test binary (the fake only checks a JWT's shape).
func AppKey(t testing.TB) []byte {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	return keyPEM
}
