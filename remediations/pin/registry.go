package pin

import (
	"context"
	"fmt"

	"github.com/hardener/hardener/internal/registry"
)

// Registry adapts an OCI registry client to remediations.ImageResolver,
// so that Env.Images can be a *registry.Client.
type Registry struct {
	Client *registry.Client
}

// Digest returns the index digest ("sha256:…") the registry serves for the
// image's tag.
func (r Registry) Digest(ctx context.Context, image string) (string, error) {
	ref, err := r.Client.Digest(ctx, image)
	if err != nil {
		return "", err
	}
	if ref.Digest == "" {
		return "", fmt.Errorf("image %s: the registry gave no digest", image)
	}
	return ref.Digest, nil
}
