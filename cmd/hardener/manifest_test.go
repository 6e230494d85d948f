package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestManifestCommand(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"manifest", "--url", "https://h.example", "--admin"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m struct {
		HookAttributes     struct{ URL string } `json:"hook_attributes"`
		DefaultPermissions map[string]string    `json:"default_permissions"`
		DefaultEvents      []string             `json:"default_events"`
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if m.HookAttributes.URL != "https://h.example/api/github/webhooks" || m.DefaultPermissions["administration"] != "write" {
		t.Errorf("manifest = %s", out.String())
	}
}

func TestManifestCommandNeedsURL(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"manifest"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--url") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}
