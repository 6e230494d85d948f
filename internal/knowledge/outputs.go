package knowledge

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed outputs.yml
var outputData []byte

// UntrustedOutputs are the outputs of one action that carry an outsider's
// text (outputs.yml).
type UntrustedOutputs struct {
	Docs    string   `yaml:"docs"`
	Outputs []string `yaml:"outputs"`
	Match   string   `yaml:"match"`
	What    string   `yaml:"what"`
}

var (
	outputsOnce sync.Once
	outputsMap  map[string]*UntrustedOutputs
	outputsErr  error
)

func loadOutputs() (map[string]*UntrustedOutputs, error) {
	var doc struct {
		Outputs map[string]*UntrustedOutputs `yaml:"outputs"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(outputData)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("outputs.yml: %w", err)
	}
	out := make(map[string]*UntrustedOutputs, len(doc.Outputs))
	for k, o := range doc.Outputs {
		if o == nil || o.Docs == "" || o.What == "" || (len(o.Outputs) == 0) == (o.Match == "") {
			return nil, fmt.Errorf("outputs.yml: %s needs docs, what, and one of outputs and match", k)
		}
		out[strings.ToLower(k)] = o
	}
	return out, nil
}

// UntrustedOutputsOf returns what the data file says about an action
// (`owner/repo[/path]`, no ref), or nil.
func UntrustedOutputsOf(name string) *UntrustedOutputs {
	outputsOnce.Do(func() { outputsMap, outputsErr = loadOutputs() })
	if outputsErr != nil {
		panic(outputsErr) // the embedded file is tested
	}
	return outputsMap[strings.ToLower(name)]
}

// Carries reports whether the named output carries an outsider's text.
func (o *UntrustedOutputs) Carries(output string) bool {
	output = strings.ToLower(output)
	if o.Match != "" {
		return strings.Contains(output, strings.ToLower(o.Match)) && !strings.HasSuffix(output, "_count")
	}
	for _, n := range o.Outputs {
		if strings.EqualFold(n, output) {
			return true
		}
	}
	return false
}
