package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/hardener/hardener/app/intake"
)

// Manifest is a GitHub App manifest for the manifest registration flow
// (POST https://github.com/settings/apps/new with a "manifest" form field).
type Manifest struct {
	Name               string            `json:"name"`
	URL                string            `json:"url"`
	Description        string            `json:"description,omitempty"`
	HookAttributes     HookAttributes    `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url,omitempty"`
	Public             bool              `json:"public"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	DefaultEvents      []string          `json:"default_events"`
}

// HookAttributes is where GitHub sends the App's webhooks.
type HookAttributes struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// ManifestOptions chooses what the manifest asks for.
type ManifestOptions struct {
	Name string // default "Hardener"
	// URL is the public base URL of the deployment; webhooks go to
	// URL + intake.WebhookPath.
	URL string
	// Admin adds administration: write, needed to apply branch protection and
	// to enable private vulnerability reporting.
	Admin bool
}

// DefaultAppName is the App name a manifest proposes unless told otherwise.
const DefaultAppName = "Hardener"

// appPermissions are the repository permissions the App's code uses, and why.
var appPermissions = map[string]string{
	"contents":              "write", // read the tree, commit fixes through the Git Data API
	"pull_requests":         "write", // open, update and close the hardening PR
	"checks":                "write", // the "hardener" check run and its requested action
	"workflows":             "write", // commits that change .github/workflows/
	"issues":                "write", // labels and comments on the hardening PR
	"repository_advisories": "write", // draft advisories for exploitable findings
	"actions":               "read",  // default GITHUB_TOKEN permissions of the repository
	"metadata":              "read",  // always granted; listed so the manifest says so
}

// appEvents are the events the router handles, but installation and
// installation_repositories: GitHub delivers those to every App and refuses
// them in a manifest.
func appEvents() []string {
	var out []string
	for _, e := range intake.Events() {
		if !strings.HasPrefix(e, "installation") {
			out = append(out, e)
		}
	}
	return out
}

// NewManifest builds the manifest. opts.URL must be an absolute http(s) URL.
func NewManifest(opts ManifestOptions) (Manifest, error) {
	base := strings.TrimRight(strings.TrimSpace(opts.URL), "/")
	u, err := url.Parse(base)
	if base == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Manifest{}, fmt.Errorf("app URL %q: want the absolute http(s) URL where GitHub reaches the App", opts.URL)
	}
	name := strings.TrimSpace(opts.Name)
	if name == "" {
		name = DefaultAppName
	}
	perms := make(map[string]string, len(appPermissions)+1)
	for k, v := range appPermissions {
		perms[k] = v
	}
	if opts.Admin {
		perms["administration"] = "write" // branch protection, private vulnerability reporting
	}
	return Manifest{
		Name:        name,
		URL:         base,
		Description: "Hardens the CI supply chain of the repositories it is installed on: pinned actions and images, least-privilege workflow tokens, a security policy, dependency updates.",
		HookAttributes: HookAttributes{
			URL:    base + intake.WebhookPath,
			Active: true,
		},
		// After registration GitHub sends the browser here with ?code=…, to be
		// exchanged through POST /app-manifests/{code}/conversions.
		RedirectURL:        base,
		Public:             false,
		DefaultPermissions: perms,
		DefaultEvents:      appEvents(),
	}, nil
}

// JSON renders the manifest indented, with a final newline. Map keys are
// sorted, so the output is stable.
func (m Manifest) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
