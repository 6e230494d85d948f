package config

import (
	"slices"

	"gopkg.in/yaml.v3"
)

// DefaultCooldownDays is how long a new release must be out before the
// Dependabot entries Hardener writes propose it: long enough for a
// compromised release to be noticed and pulled, short enough for fixes.
const DefaultCooldownDays = 7

// MaxCooldownDays is Dependabot's own upper bound for `default-days`.
const MaxCooldownDays = 90

// MaxPolicyDays bounds the response times a security policy may promise.
const MaxPolicyDays = 365

// SecurityPolicyConfig is the `security-policy:` block: the response times
// SECURITY.md commits the maintainers to. Zero, the default, promises
// nothing; the policy then only says how to report and what to include.
type SecurityPolicyConfig struct {
	// AcknowledgeDays: reports are acknowledged within this many business days.
	AcknowledgeDays int `yaml:"acknowledge-days"`
	// AssessmentDays: a first assessment is sent within this many days.
	AssessmentDays int `yaml:"assessment-days"`
	// DisclosureDays: details are published at most this many days after
	// the report (coordinated disclosure).
	DisclosureDays int `yaml:"disclosure-days"`
}

// Promises reports whether the policy commits to any response time.
func (s SecurityPolicyConfig) Promises() bool {
	return s.AcknowledgeDays > 0 || s.AssessmentDays > 0 || s.DisclosureDays > 0
}

var (
	dependabotKeys     = []string{"ecosystems", "cooldown-days"}
	securityPolicyKeys = []string{"acknowledge-days", "assessment-days", "disclosure-days"}
)

func (p *parser) dependabot(n *yaml.Node) {
	const where = "dependabot"
	p.mapping(n, where, dependabotKeys, func(key string, _, v *yaml.Node) {
		full := where + "." + key
		switch key {
		case "ecosystems":
			if l, ok := p.ecosystems(v); ok {
				p.add(full, func(c *Config) { c.Dependabot.Ecosystems = slices.Clone(l) })
			}
		case "cooldown-days":
			if i, ok := p.integer(v, full, 0, MaxCooldownDays); ok {
				p.add(full, func(c *Config) { c.Dependabot.CooldownDays = i })
			}
		}
	})
}

func (p *parser) securityPolicy(n *yaml.Node) {
	const where = "security-policy"
	p.mapping(n, where, securityPolicyKeys, func(key string, _, v *yaml.Node) {
		full := where + "." + key
		i, ok := p.integer(v, full, 0, MaxPolicyDays)
		if !ok {
			return
		}
		set := map[string]func(*SecurityPolicyConfig){
			"acknowledge-days": func(s *SecurityPolicyConfig) { s.AcknowledgeDays = i },
			"assessment-days":  func(s *SecurityPolicyConfig) { s.AssessmentDays = i },
			"disclosure-days":  func(s *SecurityPolicyConfig) { s.DisclosureDays = i },
		}[key]
		p.add(full, func(c *Config) { set(&c.SecurityPolicy) })
	})
}
