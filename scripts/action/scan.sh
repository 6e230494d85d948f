#!/usr/bin/env bash
# Run hardener scan for the GitHub Action (action.yml): SARIF for code
# scanning, a findings table for the job summary, and the exit status kept
# for the last step so that the SARIF is uploaded even when findings fail
# the job.
#
# Environment: HARDENER (the binary), INPUT_FAIL_ON, INPUT_CONFIG,
# INPUT_SCORECARD, INPUT_PATH, RUNNER_TEMP, GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY. Writes sarif-file, exit-code and findings to
# GITHUB_OUTPUT.
set -euo pipefail

die() { echo "::error title=hardener scan::$*" >&2; exit 2; }

: "${HARDENER:?HARDENER is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
dir="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-}"
config="${INPUT_CONFIG:-}"
scorecard="${INPUT_SCORECARD:-true}"

case "$fail_on" in
  ""|info|low|medium|high|never) ;;
  *) die "fail-on must be info, low, medium, high or never, not '$fail_on'" ;;
esac
case "$scorecard" in
  true|false) ;;
  *) die "scorecard must be true or false, not '$scorecard'" ;;
esac

# ${a[@]+"${a[@]}"}: an empty array under `set -u` in the bash 3.2 of macOS.
cfg=()
[ -n "$config" ] && cfg+=("--config=$config")
fail=()
[ -n "$fail_on" ] && fail+=("--fail-on=$fail_on")

sarif="$RUNNER_TEMP/hardener.sarif"
json="$RUNNER_TEMP/hardener.json"

# JSON (with the Scorecard scores) decides the exit status and feeds the
# summary; SARIF carries the same findings to code scanning.
set +e
"$HARDENER" scan --format json --scorecard="$scorecard" ${fail[@]+"${fail[@]}"} ${cfg[@]+"${cfg[@]}"} -- "$dir" > "$json"
code=$?
set -e
[ "$code" -le 1 ] || die "hardener scan failed (exit $code)"
"$HARDENER" scan --format sarif --scorecard=false --fail-on=never ${cfg[@]+"${cfg[@]}"} -- "$dir" > "$sarif" ||
  die "hardener scan --format sarif failed"

here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if command -v jq >/dev/null; then
    jq -r --arg failon "${fail_on:-the configured level}" --argjson code "$code" -f "$here/summary.jq" "$json" >> "$GITHUB_STEP_SUMMARY"
  else
    echo "hardener: $(grep -c '"rule":' "$json" || true) findings (install jq for the table)" >> "$GITHUB_STEP_SUMMARY"
  fi
fi

{
  echo "sarif-file=$sarif"
  echo "exit-code=$code"
  echo "findings=$(jq -r '.findings | length' "$json" 2>/dev/null || grep -c '"rule":' "$json" || true)"
} >> "$GITHUB_OUTPUT"
