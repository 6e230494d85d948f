package emulator

import (
	"encoding/json"
	"strings"
	"testing"
)

// emf sums the CloudWatch Embedded Metric Format lines in a function's
// output by "Metric" or "Metric/JobKind", checking that each line declares
// its metrics the way CloudWatch Logs needs to extract them.
func emf(t *testing.T, logs, function string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, line := range strings.Split(logs, "\n") {
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"_aws"`) {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Errorf("EMF line is not JSON: %v\n%s", err, line)
			continue
		}
		var meta struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		}
		b, _ := json.Marshal(doc["_aws"])
		if err := json.Unmarshal(b, &meta); err != nil || meta.Timestamp == 0 || len(meta.CloudWatchMetrics) != 1 {
			t.Errorf("bad _aws member: %s", b)
			continue
		}
		d := meta.CloudWatchMetrics[0]
		if d.Namespace != "Hardener" || doc["Function"] != function {
			t.Errorf("namespace %q function %v, want Hardener and %s", d.Namespace, doc["Function"], function)
		}
		for _, dims := range d.Dimensions {
			for _, name := range dims {
				if _, ok := doc[name].(string); !ok {
					t.Errorf("dimension %s has no value in %s", name, line)
				}
			}
		}
		for _, m := range d.Metrics {
			v, ok := doc[m.Name].(float64)
			if !ok {
				t.Errorf("metric %s has no value in %s", m.Name, line)
			}
			key := m.Name
			if k, ok := doc["JobKind"].(string); ok {
				key += "/" + k
			}
			out[key] += v
		}
	}
	return out
}
