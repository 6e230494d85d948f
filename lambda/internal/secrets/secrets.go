// Package secrets reads the App's private key and webhook secret at cold
// start from AWS Systems Manager Parameter Store or AWS Secrets Manager, so
// that they are never part of a Lambda function's configuration (which
// anyone allowed to read the function can see). The environment names
// where each value is kept; plain values in the environment stay possible
// for self-hosting.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/hardener/hardener/app/intake"
)

// Environment variables that name where a secret is kept.
const (
	// EnvPrivateKeySSM names the SSM parameter (a SecureString) that holds
	// the App's private key in PEM.
	EnvPrivateKeySSM = "GITHUB_PRIVATE_KEY_SSM"
	// EnvPrivateKeySecretARN names the Secrets Manager secret (ARN or name)
	// whose SecretString is the App's private key in PEM.
	EnvPrivateKeySecretARN = "GITHUB_PRIVATE_KEY_SECRET_ARN"
	// EnvWebhookSecretSSM names the SSM parameter that holds the webhook
	// secret.
	EnvWebhookSecretSSM = "GITHUB_WEBHOOK_SECRET_SSM"
	// EnvWebhookSecretSecretARN names the Secrets Manager secret that holds
	// the webhook secret.
	EnvWebhookSecretSecretARN = "GITHUB_WEBHOOK_SECRET_SECRET_ARN"
)

// Secret is one value the App reads from the environment (Var), which may
// instead be kept in an SSM parameter or a Secrets Manager secret.
type Secret struct {
	Var       string   // the plain variable intake.LoadSettings reads
	Also      []string // other plain ways to give it (a file)
	SSMVar    string
	SecretVar string
}

// The secrets of the App.
var (
	PrivateKey = Secret{Var: intake.EnvPrivateKey, Also: []string{intake.EnvPrivateKeyFile},
		SSMVar: EnvPrivateKeySSM, SecretVar: EnvPrivateKeySecretARN}
	WebhookSecret = Secret{Var: intake.EnvWebhookSecret, SSMVar: EnvWebhookSecretSSM, SecretVar: EnvWebhookSecretSecretARN}
)

// SSM is the part of the SSM client used here.
type SSM interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// SecretsManager is the part of the Secrets Manager client used here.
type SecretsManager interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Stores are the clients, made only when a variable names a store.
type Stores struct {
	SSM            func() SSM
	SecretsManager func() SecretsManager
}

// FromConfig makes both clients from one AWS configuration (the function's
// role, region and endpoints from the environment).
func FromConfig(cfg aws.Config) Stores {
	return Stores{
		SSM:            func() SSM { return ssm.NewFromConfig(cfg) },
		SecretsManager: func() SecretsManager { return secretsmanager.NewFromConfig(cfg) },
	}
}

// Needed reports whether any of the secrets is kept in a store, i.e.
// whether Resolve will need AWS clients.
func Needed(getenv func(string) string, secrets ...Secret) bool {
	for _, s := range secrets {
		if strings.TrimSpace(getenv(s.SSMVar)) != "" || strings.TrimSpace(getenv(s.SecretVar)) != "" {
			return true
		}
	}
	return false
}

// Resolve reads each secret that the environment says is kept in a store
// and returns a getenv that answers it as its plain variable, for
// intake.LoadSettings. Every problem is reported, joined: two ways of
// giving one secret, a missing parameter, a refused read. Errors name the
// variable and the parameter or secret, never a value.
func Resolve(ctx context.Context, getenv func(string) string, stores Stores, secrets ...Secret) (func(string) string, error) {
	values := map[string]string{}
	var errs []error
	for _, s := range secrets {
		v, ok, err := resolve(ctx, getenv, stores, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			values[s.Var] = v
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return func(name string) string {
		if v, ok := values[name]; ok {
			return v
		}
		return getenv(name)
	}, nil
}

func resolve(ctx context.Context, getenv func(string) string, stores Stores, s Secret) (string, bool, error) {
	var given []string
	for _, name := range append([]string{s.Var, s.SSMVar, s.SecretVar}, s.Also...) {
		if strings.TrimSpace(getenv(name)) != "" {
			given = append(given, name)
		}
	}
	if len(given) > 1 {
		return "", false, &intake.SettingError{Var: given[0], Problem: "set only one of " + strings.Join(given, ", ")}
	}
	ssmName, secretID := strings.TrimSpace(getenv(s.SSMVar)), strings.TrimSpace(getenv(s.SecretVar))
	switch {
	case ssmName != "":
		if stores.SSM == nil {
			return "", false, &intake.SettingError{Var: s.SSMVar, Problem: "no SSM client configured"}
		}
		out, err := stores.SSM().GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(ssmName), WithDecryption: aws.Bool(true)})
		if err != nil {
			return "", false, &intake.SettingError{Var: s.SSMVar, Problem: fmt.Sprintf("reading SSM parameter %q: %v", ssmName, err)}
		}
		if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
			return "", false, &intake.SettingError{Var: s.SSMVar, Problem: fmt.Sprintf("SSM parameter %q is empty", ssmName)}
		}
		return aws.ToString(out.Parameter.Value), true, nil
	case secretID != "":
		if stores.SecretsManager == nil {
			return "", false, &intake.SettingError{Var: s.SecretVar, Problem: "no Secrets Manager client configured"}
		}
		out, err := stores.SecretsManager().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
		if err != nil {
			return "", false, &intake.SettingError{Var: s.SecretVar, Problem: fmt.Sprintf("reading secret %q: %v", secretID, err)}
		}
		v := aws.ToString(out.SecretString)
		if v == "" {
			v = string(out.SecretBinary)
		}
		if v == "" {
			return "", false, &intake.SettingError{Var: s.SecretVar, Problem: fmt.Sprintf("secret %q is empty", secretID)}
		}
		return v, true, nil
	}
	return "", false, nil
}
