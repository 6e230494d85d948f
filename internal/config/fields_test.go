package config

import "testing"

func TestNewFields(t *testing.T) {
	t.Parallel()
	d := Default()
	if d.Dependabot.CooldownDays != DefaultCooldownDays || d.SecurityPolicy.Promises() {
		t.Fatalf("defaults: cooldown %d, policy %+v", d.Dependabot.CooldownDays, d.SecurityPolicy)
	}
	c, err := Parse([]byte("dependabot: {cooldown-days: 0}\nsecurity-policy: {acknowledge-days: 5, disclosure-days: 60}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dependabot.CooldownDays != 0 || c.SecurityPolicy != (SecurityPolicyConfig{AcknowledgeDays: 5, DisclosureDays: 60}) {
		t.Errorf("parsed %+v %+v", c.Dependabot, c.SecurityPolicy)
	}
	// The organisation's value holds unless the repository sets its own;
	// the repository's other dependabot keys do not reset it.
	org, err := ParseOrg([]byte("dependabot: {cooldown-days: 14}\nsecurity-policy: {assessment-days: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := Parse([]byte("dependabot: {ecosystems: [gomod]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Merge(&org, &repo)
	if err != nil {
		t.Fatal(err)
	}
	if m.Dependabot.CooldownDays != 14 || m.SecurityPolicy.AssessmentDays != 10 || m.Dependabot.Ecosystems[0] != "gomod" {
		t.Errorf("merged %+v %+v", m.Dependabot, m.SecurityPolicy)
	}
	if _, err := Parse([]byte("dependabot: {cooldown-days: 91}\n")); err == nil {
		t.Error("cooldown-days above Dependabot's 90 was accepted")
	}
}
