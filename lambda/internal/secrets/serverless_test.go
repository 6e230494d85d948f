package secrets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hardener/hardener/app/intake"
)

// TestServerlessYAMLReadsSecretsAtRunTime checks the deployment against
// this package: the functions name the SSM parameters they read at cold
// start (no secret resolved into their configuration), the webhook function
// gets no private key, the role may read exactly those parameters and
// secrets, and the alarms exist. (`npx serverless@3 package` validates the
// rest; it needs npm, so it is not run here.)
func TestServerlessYAMLReadsSecretsAtRunTime(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var sls struct {
		Provider struct {
			Environment map[string]any
			IAM         struct {
				Role struct {
					Statements []struct {
						Action   any `yaml:"Action"`
						Resource any `yaml:"Resource"`
					}
				}
			} `yaml:"iam"`
		}
		Functions map[string]struct {
			Environment map[string]any
		}
		Resources struct {
			Resources map[string]struct {
				Type       string         `yaml:"Type"`
				Properties map[string]any `yaml:"Properties"`
			} `yaml:"Resources"`
		}
	}
	if err := yaml.Unmarshal(raw, &sls); err != nil {
		t.Fatal(err)
	}
	env := func(fn string) map[string]any {
		m := map[string]any{}
		for k, v := range sls.Provider.Environment {
			m[k] = v
		}
		for k, v := range sls.Functions[fn].Environment {
			m[k] = v
		}
		return m
	}
	for _, fn := range []string{"webhook", "worker", "rescan"} {
		e := env(fn)
		for _, plain := range []string{intake.EnvPrivateKey, intake.EnvPrivateKeyFile, intake.EnvWebhookSecret} {
			if _, ok := e[plain]; ok {
				t.Errorf("%s: %s is in the function's configuration", fn, plain)
			}
		}
		for k, v := range e {
			if s, ok := v.(string); ok && strings.Contains(s, "${ssm:") {
				t.Errorf("%s: %s is resolved from SSM at deploy time", fn, k)
			}
		}
		if e[EnvWebhookSecretSSM] == nil {
			t.Errorf("%s: no %s", fn, EnvWebhookSecretSSM)
		}
		_, hasKey := e[EnvPrivateKeySSM]
		if hasKey != (fn != "webhook") {
			t.Errorf("%s: %s present = %v", fn, EnvPrivateKeySSM, hasKey)
		}
	}
	scoped := map[string]bool{}
	for _, st := range sls.Provider.IAM.Role.Statements {
		action, _ := st.Action.(string)
		if action != "ssm:GetParameter" && action != "secretsmanager:GetSecretValue" {
			continue
		}
		list, _ := st.Resource.([]any)
		if len(list) != 2 || strings.Contains(yamlText(t, st.Resource), ":*") {
			t.Errorf("%s is not scoped to the two secrets: %s", action, yamlText(t, st.Resource))
		}
		scoped[action] = true
	}
	if len(scoped) != 2 {
		t.Errorf("role statements for reading secrets: %v", scoped)
	}
	alarms := map[string]string{}
	for name, r := range sls.Resources.Resources {
		if r.Type == "AWS::CloudWatch::Alarm" {
			alarms[r.Properties["Namespace"].(string)+"/"+r.Properties["MetricName"].(string)] = name
		}
	}
	for _, want := range []string{"AWS/SQS/ApproximateNumberOfMessagesVisible", "AWS/Lambda/Errors", "Hardener/JobsFailed", "AWS/ApiGateway/5xx"} {
		if alarms[want] == "" {
			t.Errorf("no alarm on %s (alarms: %v)", want, alarms)
		}
	}
}

func yamlText(t *testing.T, v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
