package registry

import (
	"strings"
	"testing"
)

var dgst = "sha256:" + strings.Repeat("ab", 32)

func TestParseRef(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in     string
		want   Ref
		string string
	}{
		"official image":      {"node:20", Ref{"docker.io", "library/node", "20", ""}, "node:20"},
		"no tag":              {"node", Ref{"docker.io", "library/node", "latest", ""}, "node:latest"},
		"hub user image":      {"bitnami/redis:7.2", Ref{"docker.io", "bitnami/redis", "7.2", ""}, "bitnami/redis:7.2"},
		"explicit hub":        {"docker.io/library/node:20", Ref{"docker.io", "library/node", "20", ""}, "node:20"},
		"legacy hub host":     {"index.docker.io/library/node:20", Ref{"docker.io", "library/node", "20", ""}, "node:20"},
		"ghcr":                {"ghcr.io/o/r:tag", Ref{"ghcr.io", "o/r", "tag", ""}, "ghcr.io/o/r:tag"},
		"quay nested":         {"quay.io/prometheus/node-exporter", Ref{"quay.io", "prometheus/node-exporter", "latest", ""}, "quay.io/prometheus/node-exporter:latest"},
		"host and port":       {"localhost:5000/app:1", Ref{"localhost:5000", "app", "1", ""}, "localhost:5000/app:1"},
		"fqdn port":           {"reg.example.com:8443/team/app:v1.2", Ref{"reg.example.com:8443", "team/app", "v1.2", ""}, "reg.example.com:8443/team/app:v1.2"},
		"tag and digest":      {"node:20@" + dgst, Ref{"docker.io", "library/node", "20", dgst}, "node:20@" + dgst},
		"digest only":         {"ghcr.io/o/r@" + dgst, Ref{"ghcr.io", "o/r", "", dgst}, "ghcr.io/o/r@" + dgst},
		"actions docker form": {"docker://alpine:3.8", Ref{"docker.io", "library/alpine", "3.8", ""}, "alpine:3.8"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRef(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if got.String() != tc.string {
				t.Errorf("String() = %q, want %q", got.String(), tc.string)
			}
		})
	}
}

func TestParseRefRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "${{ matrix.image }}", "node:${{ inputs.v }}", "$IMAGE", "${BASE}:1", "Node:20",
		"node:20@sha256:abc", "a b", "node:", ":20", "node::20", strings.Repeat("a", 64),
	} {
		if r, err := ParseRef(in); err == nil {
			t.Errorf("ParseRef(%q) = %+v, want error", in, r)
		}
	}
}
