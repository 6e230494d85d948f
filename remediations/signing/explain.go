package signing

import (
	"fmt"

	"github.com/hardener/hardener/templates"
)

// explained collects what the explanation lists.
type explained struct {
	Added, Extended []string
	ecosystems      []string
}

func (e *explained) add(eco string) {
	if !contains(e.ecosystems, eco) {
		e.ecosystems = append(e.ecosystems, eco)
	}
}

type explanationData struct {
	Title, What, Why, Undo, Docs string
	Added, Extended              []string
	Setup, Verify                []string
}

// setup is the registry-side work per ecosystem, which no pull request
// can do.
func setup(eco, repo string) (steps, verify []string) {
	switch eco {
	case Go, Generic:
		return []string{"Nothing to set up: signatures use the workflow's GitHub OIDC identity (keyless Sigstore), and attestations are stored by GitHub."},
			[]string{"`gh attestation verify FILE --repo " + repo + "`",
				"`cosign verify-blob --bundle FILE.sigstore.json --certificate-identity-regexp '^https://github.com/" + repo + "/' --certificate-oidc-issuer https://token.actions.githubusercontent.com FILE`"}
	case NPM:
		return []string{"npm provenance needs a public repository, a public package and npm 9.5 or later (the workflow uses Node 22).",
				"Store an npm automation or granular token as the `NPM_TOKEN` secret of the `npm` environment (or configure npm trusted publishing for this workflow and drop the token)."},
			[]string{"`npm audit signatures` in a project that depends on the package; the provenance is shown on the package's npmjs.com page."}
	case PyPI:
		return []string{"On PyPI, add a trusted publisher for this repository: workflow `publish-pypi.yml`, environment `pypi` (https://docs.pypi.org/trusted-publishers/adding-a-publisher/).",
				"Create the `pypi` environment in the repository settings, ideally with required reviewers."},
			[]string{"The attestations are shown on the file's page on pypi.org (`https://pypi.org/project/NAME/#files`)."}
	case Container:
		return []string{"After the first push, check the visibility of the GHCR package (private by default for new packages) and link it to this repository so the workflow can push to it."},
			[]string{"`gh attestation verify oci://ghcr.io/" + repo + "@DIGEST --repo " + repo + "`",
				"`cosign verify ghcr.io/" + repo + "@DIGEST --certificate-identity-regexp '^https://github.com/" + repo + "/' --certificate-oidc-issuer https://token.actions.githubusercontent.com`"}
	}
	return nil, nil
}

func (e explained) render(repo string) (string, error) {
	d := explanationData{
		Title: "Signed releases with build provenance",
		What:  "Release artifacts are signed keylessly with Sigstore and get SLSA build provenance from `actions/attest-build-provenance`, in the workflows listed below.",
		Why: "A signature and a provenance attestation let users check that an artifact was built by this repository's workflow from a given commit, " +
			"not uploaded by someone holding a stolen token. Every action is pinned to a commit SHA and each job gets only the permissions it needs " +
			"(`id-token: write` for the signing identity, `attestations: write` to store attestations).",
		Undo:     "Delete the added workflow files, or revert the added steps and permissions in the existing workflow. Turn the remediation off with `remediations: {signing: false}` in `.github/hardener.yml`.",
		Docs:     "https://docs.github.com/en/actions/security-for-github-actions/using-artifact-attestations/using-artifact-attestations-to-establish-provenance-for-builds",
		Added:    e.Added,
		Extended: e.Extended,
	}
	for _, eco := range e.ecosystems {
		s, v := setup(eco, repo)
		d.Setup = append(d.Setup, s...)
		d.Verify = append(d.Verify, v...)
	}
	s, err := templates.Render("signing-explanation.md.tmpl", d)
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	return s, nil
}
