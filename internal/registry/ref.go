package registry

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// DockerHub is the registry host of unqualified image names.
const DockerHub = "docker.io"

// Ref is a parsed image reference.
type Ref struct {
	// Registry is the host (and port), e.g. docker.io, ghcr.io, localhost:5000.
	Registry string
	// Repository is the path in the registry; Docker Hub official images
	// get their implicit library/ prefix (node → library/node).
	Repository string
	// Tag is the tag, "latest" when neither tag nor digest is given, and ""
	// for a reference pinned by digest alone.
	Tag string
	// Digest is the content digest (sha256:…), "" when not pinned.
	Digest string
}

// ParseRef parses an image reference as Docker does: node:20,
// ghcr.io/o/r:tag, quay.io/o/r, localhost:5000/r, name:tag@sha256:…
// A "docker://" prefix (GitHub Actions' form) is accepted. Expressions
// (${{ … }}), variables and anything else outside the reference grammar are
// rejected.
func ParseRef(image string) (Ref, error) {
	s := strings.TrimPrefix(image, "docker://")
	if s == "" || strings.Contains(s, "${{") || strings.ContainsAny(s, "$ \t\r\n") {
		return Ref{}, fmt.Errorf("image %q: not a literal image reference", image)
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Ref{}, fmt.Errorf("image %q: %w", image, err)
	}
	r := Ref{Registry: reference.Domain(named), Repository: reference.Path(named)}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// Name is the repository in its familiar form: node for
// docker.io/library/node, bitnami/redis for docker.io/bitnami/redis,
// ghcr.io/o/r elsewhere.
func (r Ref) Name() string {
	if r.Registry != DockerHub {
		return r.Registry + "/" + r.Repository
	}
	if rest, ok := strings.CutPrefix(r.Repository, "library/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return r.Repository
}

// String is the familiar form that goes back into a file: node:20,
// node:20@sha256:…, ghcr.io/o/r@sha256:…
func (r Ref) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// key identifies the tag being resolved, fully qualified.
func (r Ref) key() string { return r.Registry + "/" + r.Repository + ":" + r.Tag }
