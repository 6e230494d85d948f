package intake

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardener/hardener/internal/githubfake"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadSettingsDefaults(t *testing.T) {
	t.Parallel()
	key := githubfake.AppKey(t)
	s, err := LoadSettings(envMap(map[string]string{
		EnvAppID: "12345", EnvPrivateKey: string(key), EnvWebhookSecret: "topsecret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.AppID != 12345 || string(s.PrivateKey) != string(key) || string(s.WebhookSecret) != "topsecret" ||
		s.APIURL != DefaultAPIURL || s.Workers != DefaultWorkers || s.WriteRate != DefaultWriteRate {
		t.Fatalf("settings = %v", s)
	}
}

func TestLoadSettingsOverridesAndKeyFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, githubfake.AppKey(t), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSettings(envMap(map[string]string{
		EnvAppID: "7", EnvPrivateKeyFile: p, EnvWebhookSecret: "x",
		EnvAPIURL: "https://ghe.example.com/api/v3/", EnvWorkers: "9", EnvWriteRate: "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.APIURL != "https://ghe.example.com/api/v3" || s.Workers != 9 || s.WriteRate != 0 {
		t.Fatalf("settings = %v", s)
	}
}

func TestLoadSettingsEscapedNewlines(t *testing.T) {
	t.Parallel()
	escaped := strings.ReplaceAll(string(githubfake.AppKey(t)), "\n", `\n`)
	s, err := LoadSettings(envMap(map[string]string{EnvAppID: "1", EnvPrivateKey: escaped, EnvWebhookSecret: "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRSAKey(s.PrivateKey); err != nil {
		t.Fatal(err)
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	t.Parallel()
	key := string(githubfake.AppKey(t))
	tests := map[string]struct {
		env  map[string]string
		vars []string // every variable the error must name
	}{
		"nothing set": {map[string]string{}, []string{EnvAppID, EnvPrivateKey, EnvWebhookSecret}},
		"missing secret": {map[string]string{EnvAppID: "1", EnvPrivateKey: key},
			[]string{EnvWebhookSecret}},
		"bad app id": {map[string]string{EnvAppID: "abc", EnvPrivateKey: key, EnvWebhookSecret: "s"},
			[]string{EnvAppID}},
		"both keys": {map[string]string{EnvAppID: "1", EnvPrivateKey: key, EnvPrivateKeyFile: "/k", EnvWebhookSecret: "s"},
			[]string{EnvPrivateKey, EnvPrivateKeyFile}},
		"key not PEM": {map[string]string{EnvAppID: "1", EnvPrivateKey: "hunter2-not-a-key", EnvWebhookSecret: "s"},
			[]string{EnvPrivateKey}},
		"key file missing": {map[string]string{EnvAppID: "1", EnvPrivateKeyFile: "/nonexistent/key.pem", EnvWebhookSecret: "s"},
			[]string{EnvPrivateKeyFile}},
		"zero workers": {map[string]string{EnvAppID: "1", EnvPrivateKey: key, EnvWebhookSecret: "s", EnvWorkers: "0"},
			[]string{EnvWorkers}},
		"bad write rate": {map[string]string{EnvAppID: "1", EnvPrivateKey: key, EnvWebhookSecret: "s", EnvWriteRate: "-1"},
			[]string{EnvWriteRate}},
		"bad api url": {map[string]string{EnvAppID: "1", EnvPrivateKey: key, EnvWebhookSecret: "s", EnvAPIURL: "ghe.local"},
			[]string{EnvAPIURL}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadSettings(envMap(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			var se *SettingError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *SettingError", err)
			}
			for _, v := range tc.vars {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error does not name %s: %v", v, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

func TestSettingsNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	s := Settings{AppID: 1, PrivateKey: []byte("-----BEGIN RSA PRIVATE KEY-----"), WebhookSecret: []byte("hunter2")}
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("settings", "settings", s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), logs.String()} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "PRIVATE KEY") {
			t.Errorf("secret printed: %s", out)
		}
	}
}
