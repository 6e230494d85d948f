package intake

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// Settings is the App's deployment configuration, read from the environment
// (SPEC §4). Its String and LogValue never show the private key or the
// webhook secret.
type Settings struct {
	AppID         int64
	PrivateKey    []byte // PEM
	WebhookSecret []byte
	APIURL        string
	Workers       int // concurrent jobs, at least 1
	WriteRate     int // content-creating requests per minute per installation; 0: no pacing
}

// Environment variables read by LoadSettings.
const (
	EnvAppID          = "GITHUB_APP_ID"
	EnvPrivateKey     = "GITHUB_PRIVATE_KEY"
	EnvPrivateKeyFile = "GITHUB_PRIVATE_KEY_FILE"
	EnvWebhookSecret  = "GITHUB_WEBHOOK_SECRET"
	EnvAPIURL         = "GITHUB_API_URL"
	EnvWorkers        = "HARDENER_WORKERS"
	EnvWriteRate      = "HARDENER_WRITE_RATE"
)

// SettingError names the environment variable that is missing or invalid.
// Its text never contains the variable's value when that value is a secret.
type SettingError struct {
	Var     string
	Problem string
}

func (e *SettingError) Error() string { return e.Var + ": " + e.Problem }

// LoadSettings reads the App's settings through getenv (os.Getenv in
// production). Every problem is reported, joined into one error, so that an
// operator fixes them in one go; the App must not start on any error.
func LoadSettings(getenv func(string) string) (Settings, error) {
	s := Settings{APIURL: DefaultAPIURL}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, &SettingError{Var: name, Problem: fmt.Sprintf(format, args...)})
	}

	switch v := strings.TrimSpace(getenv(EnvAppID)); {
	case v == "":
		bad(EnvAppID, "required: the GitHub App's numeric ID")
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad(EnvAppID, "want a positive integer, got %q", v)
		}
		s.AppID = id
	}

	key, err := loadPrivateKey(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	s.PrivateKey = key

	if secret, err := WebhookSecretFromEnv(getenv); err != nil {
		errs = append(errs, err)
	} else {
		s.WebhookSecret = secret
	}

	if v := strings.TrimSpace(getenv(EnvAPIURL)); v != "" {
		s.APIURL = strings.TrimRight(v, "/")
		if !strings.HasPrefix(s.APIURL, "https://") && !strings.HasPrefix(s.APIURL, "http://") {
			bad(EnvAPIURL, "want an http(s) URL such as https://api.github.com or https://HOST/api/v3, got %q", v)
		}
	}

	if s.Workers, err = intSetting(getenv, EnvWorkers, DefaultWorkers); err != nil {
		errs = append(errs, err)
	} else if s.Workers == 0 {
		bad(EnvWorkers, "must be at least 1")
	}
	if s.WriteRate, err = intSetting(getenv, EnvWriteRate, DefaultWriteRate); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
}

// WebhookSecretFromEnv returns GITHUB_WEBHOOK_SECRET, which is required: an
// App without it would accept forged deliveries.
func WebhookSecretFromEnv(getenv func(string) string) ([]byte, error) {
	v := getenv(EnvWebhookSecret)
	if v == "" {
		return nil, &SettingError{Var: EnvWebhookSecret, Problem: "required: the secret GitHub signs webhook deliveries with; refusing to start without it"}
	}
	return []byte(v), nil
}

// loadPrivateKey reads GITHUB_PRIVATE_KEY or the file GITHUB_PRIVATE_KEY_FILE
// names, and checks that it is an RSA key in PEM.
func loadPrivateKey(getenv func(string) string) ([]byte, error) {
	text, file := getenv(EnvPrivateKey), strings.TrimSpace(getenv(EnvPrivateKeyFile))
	var key []byte
	name := EnvPrivateKey
	switch {
	case text != "" && file != "":
		return nil, &SettingError{Var: EnvPrivateKey, Problem: "set either it or " + EnvPrivateKeyFile + ", not both"}
	case text != "":
		// Environment files and parameter stores often keep newlines as "\n".
		if !strings.Contains(text, "\n") && strings.Contains(text, `\n`) {
			text = strings.ReplaceAll(text, `\n`, "\n")
		}
		key = []byte(text)
	case file != "":
		name = EnvPrivateKeyFile
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is not secret; the error from os names it.
			return nil, &SettingError{Var: name, Problem: err.Error()}
		}
		key = b
	default:
		return nil, &SettingError{Var: EnvPrivateKey, Problem: "required (or " + EnvPrivateKeyFile + "): the GitHub App's private key in PEM"}
	}
	if _, err := ParseRSAKey(key); err != nil {
		return nil, &SettingError{Var: name, Problem: "invalid private key: " + err.Error()}
	}
	return key, nil
}

func intSetting(getenv func(string) string, name string, def int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &SettingError{Var: name, Problem: fmt.Sprintf("want a non-negative integer, got %q", v)}
	}
	return n, nil
}

// String describes the settings without their secrets.
func (s Settings) String() string {
	return fmt.Sprintf("app_id=%d api_url=%s workers=%d write_rate=%d private_key=%s webhook_secret=%s",
		s.AppID, s.APIURL, s.Workers, s.WriteRate, redactedLen(s.PrivateKey), redactedLen(s.WebhookSecret))
}

// GoString keeps %#v from printing the secrets.
func (s Settings) GoString() string { return "intake.Settings{" + s.String() + "}" }

// LogValue keeps slog from printing the secrets.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("app_id", s.AppID), slog.String("api_url", s.APIURL),
		slog.Int("workers", s.Workers), slog.Int("write_rate", s.WriteRate),
		slog.String("private_key", redactedLen(s.PrivateKey)),
		slog.String("webhook_secret", redactedLen(s.WebhookSecret)),
	)
}

func redactedLen(b []byte) string {
	if len(b) == 0 {
		return "unset"
	}
	return "[REDACTED]"
}

// ParseRSAKey reads a PKCS#1 or PKCS#8 RSA private key in PEM. Errors never
// quote the key.
func ParseRSAKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS#1 or PKCS#8 private key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA private key")
	}
	return rk, nil
}

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// Defaults of the App's environment settings.
const (
	DefaultWorkers   = 4  // HARDENER_WORKERS
	DefaultWriteRate = 60 // HARDENER_WRITE_RATE, content-creating requests per minute per installation
)
