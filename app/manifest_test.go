package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hardener/hardener/app/intake"
)

// A flag of its own: other tests of the package may define -update.
var updateManifest = flag.Bool("update-manifest", false, "rewrite the manifest golden files")

func TestManifestGolden(t *testing.T) {
	t.Parallel()
	tests := map[string]ManifestOptions{
		"manifest.golden.json":       {URL: "https://hardener.example.org/"},
		"manifest-admin.golden.json": {URL: "https://hardener.example.org", Admin: true},
	}
	for golden, opts := range tests {
		t.Run(golden, func(t *testing.T) {
			t.Parallel()
			m, err := NewManifest(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.JSON()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", golden)
			if *updateManifest {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("manifest differs from %s (go test -run Manifest -update-manifest):\n%s", path, got)
			}
		})
	}
}

func TestManifestShape(t *testing.T) {
	t.Parallel()
	for _, admin := range []bool{false, true} {
		m, err := NewManifest(ManifestOptions{URL: "https://h.example", Admin: admin})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range m.DefaultEvents {
			if strings.HasPrefix(e, "installation") {
				t.Errorf("default_events lists %q: GitHub delivers it to every App and refuses it in a manifest", e)
			}
			if !slices.Contains(intake.Events(), e) {
				t.Errorf("default_events lists %q, which the router does not handle", e)
			}
		}
		if got := m.DefaultPermissions["administration"]; admin != (got == "write") {
			t.Errorf("admin=%v: administration = %q", admin, got)
		}
		if m.HookAttributes.URL != "https://h.example"+intake.WebhookPath || !m.HookAttributes.Active || m.Public {
			t.Errorf("manifest = %+v", m)
		}
		var raw map[string]any
		b, _ := m.JSON()
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if raw["public"] != false {
			t.Errorf("public must be present and false: %s", b)
		}
	}
}

func TestManifestRejectsBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "hardener.example.org", "ftp://x", "https://"} {
		if _, err := NewManifest(ManifestOptions{URL: u}); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}
