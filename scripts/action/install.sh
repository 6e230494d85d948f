#!/usr/bin/env bash
# Install hardener for the GitHub Action (action.yml).
#
# INPUT_VERSION picks the binary:
#   vX.Y.Z      download that release's archive for this runner, verified
#               against the release's checksums.txt;
#   <40-hex>    build that commit from source: from the action's own files
#               when the action is pinned to the same commit, otherwise with
#               `go install` through the Go module proxy (checked against
#               the Go checksum database);
#   ""          the action's own ref when it is a release tag, otherwise a
#               build of the action's own files (the pinned commit).
# Nothing is ever taken from a moving ref such as "latest".
#
# Environment, set by the runner: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
# GITHUB_OUTPUT, GITHUB_ACTION_REF and GITHUB_ACTION_PATH (the action's ref
# and files). HARDENER_RELEASE_URL overrides the base of release downloads
# (a mirror, or a test server). Writes `path=<binary>` to GITHUB_OUTPUT.
set -euo pipefail

die() { echo "::error title=hardener install::$*" >&2; exit 1; }

version="${INPUT_VERSION:-}"
action_ref="${GITHUB_ACTION_REF:-}"
action_path="${GITHUB_ACTION_PATH:-}"
release_url="${HARDENER_RELEASE_URL:-https://github.com/hardener/hardener/releases/download}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

release_re='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
sha_re='^[0-9a-f]{40}$'

if [ -z "$version" ]; then
  if [[ "$action_ref" =~ $release_re ]]; then
    version="$action_ref"
  else
    version="source"
  fi
fi

case "${RUNNER_OS:-}" in
  Linux) os=linux ;;
  macOS) os=darwin ;;
  Windows) os=windows ;;
  *) die "unsupported runner OS '${RUNNER_OS:-}'" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) die "unsupported runner architecture '${RUNNER_ARCH:-}'" ;;
esac
exe=""
[ "$os" = windows ] && exe=.exe

dest="$RUNNER_TEMP/hardener-bin"
rm -rf "$dest"
mkdir -p "$dest"
bin="$dest/hardener$exe"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

download() { # URL FILE
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 --max-filesize 209715200 -o "$2" "$1" ||
    die "download failed: $1"
}

build_source() { # DIR COMMIT
  command -v go >/dev/null || die "building from source needs Go on the runner (actions/setup-go), or set version: to a release tag"
  (cd "$1" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-X main.buildVersion=$2 -X main.buildCommit=$2" -o "$bin" ./cmd/hardener) ||
    die "go build failed"
}

is_hardener_tree() {
  [ -n "$1" ] && [ -f "$1/cmd/hardener/main.go" ] && grep -qx 'module github.com/hardener/hardener' "$1/go.mod"
}

if [ "$version" = source ]; then
  is_hardener_tree "$action_path" || die "the action's files at '$action_path' are not Hardener's source; set version: to a release tag"
  echo "Building hardener from the action's own source (ref ${action_ref:-unknown})"
  build_source "$action_path" "${action_ref:-source}"
elif [[ "$version" =~ $sha_re ]]; then
  if [ "$version" = "$action_ref" ] && is_hardener_tree "$action_path"; then
    echo "Building hardener $version from the action's own source"
    build_source "$action_path" "$version"
  else
    command -v go >/dev/null || die "building commit $version needs Go on the runner (actions/setup-go)"
    echo "Building hardener $version with go install"
    GOBIN="$dest" GOFLAGS=-mod=mod go install "github.com/hardener/hardener/cmd/hardener@$version" ||
      die "go install of commit $version failed"
  fi
elif [[ "$version" =~ $release_re ]]; then
  ext=tar.gz
  [ "$os" = windows ] && ext=zip
  archive="hardener_${version#v}_${os}_${arch}.$ext"
  dl="$RUNNER_TEMP/hardener-download"
  rm -rf "$dl"
  mkdir -p "$dl"
  echo "Downloading hardener $version ($archive)"
  download "$release_url/$version/checksums.txt" "$dl/checksums.txt"
  download "$release_url/$version/$archive" "$dl/$archive"
  want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$dl/checksums.txt")
  [[ "$want" =~ ^[0-9a-f]{64}$ ]] || die "checksums.txt of $version has no entry for $archive"
  got=$(sha256 "$dl/$archive")
  [ "$got" = "$want" ] || die "checksum mismatch for $archive: got $got, checksums.txt says $want"
  echo "Checksum verified: sha256 $got"
  if [ "$ext" = zip ]; then
    unzip -q -o -j "$dl/$archive" "hardener$exe" -d "$dest" || die "could not extract $archive"
  else
    tar -xzf "$dl/$archive" -C "$dest" "hardener" || die "could not extract $archive"
  fi
  rm -rf "$dl"
else
  die "version '$version' is neither a release tag (vX.Y.Z) nor a 40-character commit SHA"
fi

[ -x "$bin" ] || die "no hardener binary at $bin"
"$bin" version
echo "path=$bin" >> "$GITHUB_OUTPUT"
