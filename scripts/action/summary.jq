# The job summary of the GitHub Action: the findings as a Markdown table.
# Input: `hardener scan --format json`. Arguments: $failon (text), $code
# (the scan's exit status). File names and messages come from the scanned
# repository: every cell is escaped and bounded.
def cell: tostring | gsub("[\r\n\t]+"; " ") | .[0:300]
  | gsub("(?<c>[\\\\`*_{}\\[\\]()#+!|<>~&$-])"; "\\\(.c)");
def maxrows: 200;

(.findings // []) as $f
| (.errors // []) as $e
| "## Hardener\n\n"
+ (if ($f | length) == 0 then "No findings.\n"
   else "**\($f | length) finding\(if ($f | length) == 1 then "" else "s" end)**"
     + (if $code == 1 then ", at least one at or above \($failon | cell): the job fails."
        else ", none at or above \($failon | cell)." end) + "\n\n"
     + "| Severity | Rule | Where | Message |\n|---|---|---|---|\n"
     + ([$f[:maxrows][] | "| \(.severity | cell) | \(.rule | cell) | \(.file | cell):\(.line) | \(.message | cell) |"] | join("\n")) + "\n"
     + (if ($f | length) > maxrows then "\n\(($f | length) - maxrows) more in the SARIF report (code scanning).\n" else "" end)
   end)
+ (if ($e | length) > 0 then "\n**Not scanned:**\n\n" + ([$e[:maxrows][] | "- \(.file | cell): \(.message | cell)"] | join("\n")) + "\n" else "" end)
+ (if .scorecard then "\n| OpenSSF Scorecard check | Score |\n|---|---|\n"
     + ([.scorecard | to_entries[] | "| \(.key | cell) | \(if .value < 0 then "?" else .value end) |"] | join("\n")) + "\n"
   else "" end)
