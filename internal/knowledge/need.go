package knowledge

import (
	"fmt"
	"sort"
	"strings"
)

// Need is what a job needs from its GITHUB_TOKEN, and how sure that is.
type Need struct {
	// Scopes maps a scope to the level some step is known to need.
	Scopes map[string]string
	// Sources maps a scope to the steps or actions that need it.
	Sources map[string]string
	// Unknown lists why the need cannot be known, one entry per step
	// ("step label: reason"); empty when the need is fully known.
	Unknown []string
	// Keep holds writes that no step is known to need but that cannot be
	// proven unneeded either (scope → why): id-token for `run:` steps and
	// actions not proven OIDC-free, contents for a step that may push with
	// persisted checkout credentials. A fix keeps them where granted.
	Keep map[string]string
	// Basis summarises the steps the need was read from, for explanations.
	Basis []string
	// reasons are the entries of Unknown split into where and why, for
	// UnknownSummary.
	reasons []reason
}

type reason struct{ label, why string }

// maxLabels bounds the places named for one reason in UnknownSummary.
const maxLabels = 3

// UnknownSummary says in one line why the need is not known: the places
// that share a reason are named together (at most a few of them), so a
// job whose ten scripts all load modules gets one reason, not ten.
func (n Need) UnknownSummary() string {
	if len(n.reasons) != len(n.Unknown) {
		return strings.Join(n.Unknown, "; ")
	}
	var order []string
	labels := map[string][]string{}
	for _, r := range n.reasons {
		if _, ok := labels[r.why]; !ok {
			order = append(order, r.why)
		}
		labels[r.why] = append(labels[r.why], r.label)
	}
	parts := make([]string, 0, len(order))
	for _, why := range order {
		ls := labels[why]
		where := strings.Join(ls, ", ")
		if len(ls) > maxLabels {
			where = strings.Join(ls[:maxLabels], ", ") + fmt.Sprintf(" and %d more", len(ls)-maxLabels)
		}
		parts = append(parts, where+": "+why)
	}
	return strings.Join(parts, "; ")
}

// Known reports whether every step's need is known.
func (n Need) Known() bool { return len(n.Unknown) == 0 }

// Add records that source needs scope at level.
func (n *Need) Add(scope, level, source string) {
	if Rank(level) == 0 {
		return
	}
	if n.Scopes == nil {
		n.Scopes, n.Sources = map[string]string{}, map[string]string{}
	}
	switch r, cur := Rank(level), Rank(n.Scopes[scope]); {
	case r > cur:
		n.Scopes[scope] = level
		n.Sources[scope] = source
	case r == cur && !containsItem(n.Sources[scope], source):
		n.Sources[scope] += ", " + source
	}
}

// keep records a write that cannot be proven unneeded.
func (n *Need) keep(scope, why string) {
	if n.Keep == nil {
		n.Keep = map[string]string{}
	}
	if _, ok := n.Keep[scope]; !ok {
		n.Keep[scope] = why
	}
}

// Merge adds another need, such as a called workflow's.
func (n *Need) Merge(o Need) {
	for _, s := range sortedKeys(o.Scopes) {
		n.Add(s, o.Scopes[s], o.Sources[s])
	}
	for _, s := range sortedKeys(o.Keep) {
		n.keep(s, o.Keep[s])
	}
	if len(o.reasons) == len(o.Unknown) {
		for _, r := range o.reasons {
			n.unknown(r.label, r.why)
		}
	} else {
		for _, u := range o.Unknown {
			n.addUnknown(u, reason{})
		}
	}
	for _, b := range o.Basis {
		n.basis(b)
	}
}

func (n *Need) unknown(label, why string) { n.addUnknown(label+": "+why, reason{label, why}) }

// addUnknown records a reason once: a local action used by several steps
// gives the same reasons each time.
func (n *Need) addUnknown(u string, r reason) {
	for _, x := range n.Unknown {
		if x == u {
			return
		}
	}
	if len(n.reasons) == len(n.Unknown) && r.why != "" {
		n.reasons = append(n.reasons, r)
	}
	n.Unknown = append(n.Unknown, u)
}

func (n *Need) basis(b string) {
	for _, x := range n.Basis {
		if x == b {
			return
		}
	}
	n.Basis = append(n.Basis, b)
}

// Floor is the least a fix may leave the job: what its steps need, plus
// every write in Keep.
func (n Need) Floor() Grant {
	g := Union(n.Scopes)
	for s := range n.Keep {
		g[s] = Write
	}
	return g
}

// Why says why the job needs scope at its level, or why it is kept.
func (n Need) Why(scope string) string {
	if src := n.Sources[scope]; src != "" && n.Scopes[scope] == Write || n.Keep[scope] == "" {
		return src
	}
	return "kept: " + n.Keep[scope]
}

func containsItem(list, item string) bool {
	for _, s := range strings.Split(list, ", ") {
		if s == item {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
