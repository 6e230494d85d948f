#!/usr/bin/env bash
# Build the Lambda functions for provided.al2023 on arm64: one `bootstrap`
# binary per function in .bin/<fn>/, zipped as .bin/<fn>.zip for
# serverless.yml (package.artifact).
set -euo pipefail
export GOTOOLCHAIN=go1.26.10
cd "$(dirname "$0")/.."

functions=(webhook worker rescan)

for fn in "${functions[@]}"; do
  out=".bin/$fn"
  rm -rf "$out" ".bin/$fn.zip"
  mkdir -p "$out"
  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc \
    -ldflags "-s -w" -o "$out/bootstrap" "./lambda/$fn"
  if command -v zip >/dev/null; then
    (cd "$out" && zip -q -X "../$fn.zip" bootstrap)
  else
    # zip is not everywhere; Python's zipfile makes the same archive.
    python3 - "$out/bootstrap" ".bin/$fn.zip" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16  # executable
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(src, "rb") as f:
        z.writestr(info, f.read())
PY
  fi
  echo ".bin/$fn.zip"
done
