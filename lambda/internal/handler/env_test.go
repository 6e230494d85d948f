package handler

import (
	"context"
	"errors"
	"testing"

	"github.com/hardener/hardener/app/intake"
	"github.com/hardener/hardener/lambda/internal/secrets"
	"github.com/hardener/hardener/lambda/internal/secretsfake"
)

// TestLoadSecretsUsesTheFunctionsAWSConfiguration: the stores are reached
// with the default AWS configuration (here: endpoints and credentials from
// the environment, as a function's role and region would be).
func TestLoadSecretsUsesTheFunctionsAWSConfiguration(t *testing.T) {
	store := secretsfake.New(t)
	store.PutParameter("/hardener/prod/webhook-secret", "from-ssm", true)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SSM": store.URL(), "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
	} {
		t.Setenv(k, v)
	}
	env := map[string]string{secrets.EnvWebhookSecretSSM: "/hardener/prod/webhook-secret"}
	getenv, err := LoadSecrets(context.Background(), func(k string) string { return env[k] }, secrets.WebhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := getenv(intake.EnvWebhookSecret); got != "from-ssm" {
		t.Errorf("webhook secret %q", got)
	}

	env[secrets.EnvWebhookSecretSSM] = "/hardener/prod/absent"
	_, err = NewWebhookFromEnv(context.Background(), func(k string) string { return env[k] }, nil)
	var se *intake.SettingError
	if !errors.As(err, &se) || se.Var != secrets.EnvWebhookSecretSSM {
		t.Errorf("missing parameter: %v, want a SettingError naming %s", err, secrets.EnvWebhookSecretSSM)
	}
}
