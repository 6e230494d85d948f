package fixer

import (
	"fmt"
	"strings"

	"github.com/hardener/hardener/remediations"
	"github.com/hardener/hardener/remediations/dependabot"
	"github.com/hardener/hardener/remediations/perms"
	"github.com/hardener/hardener/remediations/pin"
	"github.com/hardener/hardener/remediations/secpolicy"
	"github.com/hardener/hardener/remediations/signing"
)

// All is the one list of file remediations, in the order they are applied.
// Permissions goes first because it is the only one that inserts lines in
// existing workflows: the notes of the remediations after it then point at
// lines of the final files. New files come last.
func All() []remediations.Remediation {
	return []remediations.Remediation{
		perms.Permissions{},
		pin.PinActions{},
		// Before pin-images: it refreshes the pins that were there, not
		// the ones pin-images adds with a digest fresh from the registry.
		pin.Refresh{},
		pin.PinImages{},
		secpolicy.SecurityPolicy{},
		dependabot.Dependabot{},
		signing.Signing{},
	}
}

// Network says what a remediation reaches over the network, or "" for one
// that works on the checkout alone.
func Network(id string) string {
	for _, r := range All() {
		if n, ok := r.(remediations.Networked); ok && r.ID() == id {
			return n.Network()
		}
	}
	return ""
}

// Lookup finds a remediation by ID; the error lists the valid IDs.
func Lookup(id string) (remediations.Remediation, error) {
	var ids []string
	for _, r := range All() {
		if r.ID() == id {
			return r, nil
		}
		ids = append(ids, r.ID())
	}
	return nil, fmt.Errorf("unknown remediation %q (valid: %s)", id, strings.Join(ids, ", "))
}
