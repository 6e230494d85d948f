package knowledge

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed sinks.yml
var sinkData []byte

// Sink is an action whose inputs run as code (sinks.yml).
type Sink struct {
	// Uses is `owner/repo[/path]` in lower case.
	Uses     string   `yaml:"-"`
	Docs     string   `yaml:"docs"`
	Inputs   []string `yaml:"inputs"`
	Language string   `yaml:"language"`
}

var (
	sinksOnce sync.Once
	sinks     map[string]*Sink
	sinksErr  error
)

func loadSinks() (map[string]*Sink, error) {
	var doc struct {
		Sinks map[string]*Sink `yaml:"sinks"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(sinkData)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("sinks.yml: %w", err)
	}
	out := make(map[string]*Sink, len(doc.Sinks))
	for k, s := range doc.Sinks {
		if s == nil || s.Docs == "" || len(s.Inputs) == 0 {
			return nil, fmt.Errorf("sinks.yml: %s needs docs and inputs", k)
		}
		switch s.Language {
		case "shell", "powershell", "python", "javascript":
		default:
			return nil, fmt.Errorf("sinks.yml: %s: unknown language %q", k, s.Language)
		}
		s.Uses = strings.ToLower(k)
		out[s.Uses] = s
	}
	return out, nil
}

// SinkFor returns the sink entry of an action (`owner/repo[/path]`, no
// ref), or nil.
func SinkFor(name string) *Sink {
	sinksOnce.Do(func() { sinks, sinksErr = loadSinks() })
	if sinksErr != nil {
		panic(sinksErr) // the embedded file is tested
	}
	return sinks[strings.ToLower(name)]
}

// Runs reports whether input (matched without case) runs as code.
func (s *Sink) Runs(input string) bool {
	for _, in := range s.Inputs {
		if strings.EqualFold(in, input) {
			return true
		}
	}
	return false
}
