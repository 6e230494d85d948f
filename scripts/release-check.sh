#!/usr/bin/env bash
# Check the release configuration without publishing anything:
# `goreleaser check`, then a snapshot release narrowed to the host's
# platform (every build, archive, checksum and SBOM step runs; signing is
# skipped, as keyless signing needs the release workflow's OIDC token),
# then the snapshot's own assets are inspected.
#
# GoReleaser comes from the Go module proxy at a fixed version, outside this
# module's go.mod. Without the proxy the check is skipped with a message.
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.26.10}"
cd "$(dirname "$0")/.."

GORELEASER_MODULE=github.com/goreleaser/goreleaser/v2@v2.17.0
started=$SECONDS

goreleaser() { go run "$GORELEASER_MODULE" "$@"; }

if ! goreleaser --version >/dev/null 2>&1; then
  echo "release-check: SKIPPED: $GORELEASER_MODULE could not be fetched or built (no module proxy?)"
  exit 0
fi

goreleaser check

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
host="$(go env GOOS)_$(go env GOARCH)"
# Every `targets:` line becomes the host's platform.
sed -E "s/^( *targets: ).*/\1[$host]/" .goreleaser.yaml > "$tmp/goreleaser.yaml"
grep -q "targets: \[$host\]" "$tmp/goreleaser.yaml"

dist="$tmp/dist"
sed -i -E "s|^version: 2$|version: 2\ndist: $dist|" "$tmp/goreleaser.yaml"
goreleaser release --snapshot --clean --skip=sign --config "$tmp/goreleaser.yaml"

fail() { echo "release-check: $*" >&2; exit 1; }
cd "$dist"
test -s checksums.txt || fail "no checksums.txt"
archive=$(ls hardener_*_"${host%_*}"_"${host#*_}".* 2>/dev/null | head -1)
test -n "$archive" || fail "no hardener archive for $host"
# Every archive and SBOM is in the checksums, and they verify.
for f in hardener*.tar.gz hardener*.zip *.cdx.json; do
  [ -e "$f" ] || continue
  grep -q "  $f\$" checksums.txt || fail "$f is not in checksums.txt"
done
sha256sum --check --quiet checksums.txt || fail "checksums.txt does not verify"
for fn in webhook worker rescan; do
  zip=$(ls hardener-lambda-"$fn"_*.zip 2>/dev/null | head -1)
  test -n "$zip" || fail "no Lambda zip for $fn"
  # One entry, an executable named bootstrap (zipinfo: "-rwxr-xr-x ... bootstrap").
  listing=$(unzip -Z "$zip" | grep -v -e '^Archive:' -e '^Zip file size' -e 'files\?, ' || true)
  [ "$(printf '%s\n' "$listing" | wc -l)" -eq 1 ] && [[ "$listing" =~ ^-rwx.*\ bootstrap$ ]] ||
    fail "$zip holds: $listing; want only an executable bootstrap"
done
ls ./*.cdx.json >/dev/null 2>&1 || fail "no SBOM"
# The binary reports the version and commit the release stamped.
bin=$(find . -path "./hardener_${host}*/hardener*" -type f | head -1)
test -n "$bin" || fail "no hardener binary"
"$bin" version | grep -q "snapshot" || fail "hardener version does not print the snapshot version: $("$bin" version)"
echo "release-check: OK in $((SECONDS - started)) s ($(ls | wc -l) entries in dist)"
