package signing

// Pin is an action at a released tag and the commit that tag points at.
type Pin struct {
	Action, Tag, SHA string
}

// Pins are the actions the generated workflows use. Each SHA was checked
// against many independent public workflows that pin the same action to it
// with the same tag comment; pin-actions and Dependabot keep them current
// afterwards.
var Pins = []Pin{
	{"actions/checkout", "v6.0.1", "8e8c483db84b4bee98b60c0593521ed34d9990e8"},
	{"actions/setup-go", "v6.0.0", "44694675825211faa026b3c33043df3e48a5fa00"},
	{"actions/setup-node", "v6.0.0", "2028fbc5c25fe9cf00d9f06a71cc4710d4507903"},
	{"actions/setup-python", "v6.0.0", "e797f83bcb11b83ae66e0230d6156d7c80228e7c"},
	{"actions/upload-artifact", "v5.0.0", "330a01c490aca151604b8cf639adc76d48f6c5d4"},
	{"actions/download-artifact", "v5.0.0", "634f93cb2916e3fdff6788551b99b062d0335ce0"},
	{"actions/attest-build-provenance", "v3.0.0", "977bb373ede98d70efdf65b84cb5f73e068dcc2a"},
	{"pypa/gh-action-pypi-publish", "v1.13.0", "ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e"},
	{"docker/setup-buildx-action", "v3.11.1", "e468171a9de216ec08956ac3ada2f0791b6bd435"},
	{"docker/login-action", "v3.5.0", "184bdaa0721073962dff0199f1fb9940f07167d1"},
	{"docker/build-push-action", "v6.18.0", "263435318d21b8e681c14492fe198d362a7d2c83"},
	{"sigstore/cosign-installer", "v3.10.0", "d7543c93d881b35a8faa02e8e3605f69b7a1ce62"},
}

// uses returns the `uses:` values of Pins: "owner/repo@sha # tag".
func uses() map[string]string {
	m := make(map[string]string, len(Pins))
	for _, p := range Pins {
		m[p.Action] = p.Action + "@" + p.SHA + " # " + p.Tag
	}
	return m
}
