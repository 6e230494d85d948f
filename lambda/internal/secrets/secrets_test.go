package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/lambda/internal/secretsfake"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func storesOf(f *secretsfake.Fake) Stores {
	return Stores{SSM: func() SSM { return f.SSM() }, SecretsManager: func() SecretsManager { return f.SecretsManager() }}
}

const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"

func TestResolveReadsEachStore(t *testing.T) {
	t.Parallel()
	fake := secretsfake.New(t)
	fake.PutParameter("/hardener/prod/private-key", pem, true)
	arn := fake.PutSecret("hardener/prod/webhook-secret", "s3cret")
	getenv, err := Resolve(context.Background(), envOf(map[string]string{
		EnvPrivateKeySSM:          "/hardener/prod/private-key",
		EnvWebhookSecretSecretARN: arn,
		intake.EnvAppID:           "42",
	}), storesOf(fake), PrivateKey, WebhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	if getenv(intake.EnvPrivateKey) != pem || getenv(intake.EnvWebhookSecret) != "s3cret" || getenv(intake.EnvAppID) != "42" {
		t.Errorf("resolved key %q secret %q app id %q", getenv(intake.EnvPrivateKey), getenv(intake.EnvWebhookSecret), getenv(intake.EnvAppID))
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Target != "AmazonSSM.GetParameter" || !reqs[0].WithDecryption ||
		reqs[1].Target != "secretsmanager.GetSecretValue" || reqs[1].Name != arn {
		t.Errorf("requests %+v: want one decrypted GetParameter and one GetSecretValue", reqs)
	}
}

func TestResolveLeavesPlainValuesAlone(t *testing.T) {
	t.Parallel()
	called := false
	stores := Stores{SSM: func() SSM { called = true; return nil }}
	env := envOf(map[string]string{intake.EnvWebhookSecret: "plain", intake.EnvPrivateKeyFile: "/run/key.pem"})
	if Needed(env, PrivateKey, WebhookSecret) {
		t.Error("Needed with plain values only")
	}
	getenv, err := Resolve(context.Background(), env, stores, PrivateKey, WebhookSecret)
	if err != nil || called || getenv(intake.EnvWebhookSecret) != "plain" || getenv(intake.EnvPrivateKeyFile) != "/run/key.pem" {
		t.Errorf("err %v, store called %v", err, called)
	}
}

// TestResolveOnlyReadsWhatIsAsked: the webhook function asks for the
// webhook secret only and never reads the private key, even when its
// environment names one.
func TestResolveOnlyReadsWhatIsAsked(t *testing.T) {
	t.Parallel()
	fake := secretsfake.New(t)
	fake.PutParameter("/k", pem, true)
	fake.PutParameter("/w", "hook", true)
	getenv, err := Resolve(context.Background(), envOf(map[string]string{EnvPrivateKeySSM: "/k", EnvWebhookSecretSSM: "/w"}),
		storesOf(fake), WebhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	if getenv(intake.EnvPrivateKey) != "" || len(fake.Requests()) != 1 || fake.Requests()[0].Name != "/w" {
		t.Errorf("read %+v", fake.Requests())
	}
}

func TestResolveErrorsNameTheVariableNeverTheValue(t *testing.T) {
	t.Parallel()
	fake := secretsfake.New(t)
	fake.PutParameter("/present", "the-secret-value", true)
	tests := map[string]struct {
		env  map[string]string
		want []string
	}{
		"two ways for one secret": {
			env:  map[string]string{intake.EnvWebhookSecret: "the-secret-value", EnvWebhookSecretSSM: "/present"},
			want: []string{intake.EnvWebhookSecret, EnvWebhookSecretSSM, "set only one"},
		},
		"key file and parameter": {
			env:  map[string]string{intake.EnvPrivateKeyFile: "/k.pem", EnvPrivateKeySecretARN: "arn:x"},
			want: []string{intake.EnvPrivateKeyFile, EnvPrivateKeySecretARN, "set only one"},
		},
		"missing parameter": {
			env:  map[string]string{EnvPrivateKeySSM: "/absent"},
			want: []string{EnvPrivateKeySSM, `"/absent"`, "ParameterNotFound"},
		},
		"missing secret, and the other missing too": {
			env:  map[string]string{EnvWebhookSecretSecretARN: "nope", EnvPrivateKeySSM: "/absent"},
			want: []string{EnvWebhookSecretSecretARN, "ResourceNotFoundException", EnvPrivateKeySSM},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(context.Background(), envOf(tc.env), storesOf(fake), PrivateKey, WebhookSecret)
			if err == nil {
				t.Fatal("no error")
			}
			var se *intake.SettingError
			if !errors.As(err, &se) {
				t.Errorf("%v is not a SettingError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			if strings.Contains(err.Error(), "the-secret-value") {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
}
