#!/usr/bin/env bash
# Drift report for a pull request or a chat message: reads the plan that
# check.sh saved (drift.tfplan) with `show -json` and writes Markdown: each
# resource the plan changes, and for a branch import, what the re-import does to
# each object (added, changed with what changed inside it, removed), data-losing
# changes first, and who changed each object outside Terraform and when (from
# Xano's audit log, read by the plan's refresh). Nothing here talks to Xano: the
# plan file holds it all.
#
# Usage: ./report.sh [plan file] > report.md   (default: drift.tfplan)
# Environment: TERRAFORM_BIN as for check.sh. Needs jq.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

tf="${TERRAFORM_BIN:-}"
if [[ -z "$tf" ]]; then
	if command -v tofu >/dev/null 2>&1; then
		tf=tofu
	else
		tf=terraform
	fi
fi
plan="${1:-drift.tfplan}"

"$tf" show -json "$plan" | jq -r '
  def bullets(f): if (f | length) == 0 then empty else f[] | "- `\(.)`" end;
  [.resource_changes[]? | select(.change.actions != ["no-op"] and .change.actions != ["read"])] as $rc
  | if ($rc | length) == 0 then
      "## Drift report\n\nNo drift: Xano matches the configuration."
    else
      "## Drift report\n",
      ($rc[] |
        "### `\(.address)`: \(.change.actions | join(" then "))\n",
        (.change.after.changes // null | if . == null then
           "_No object-level explanation for this resource._\n"
         else
           "Compared with \(.compared_with).\n",
           (if (.destructive | length) > 0 then "**Loses data:**\n", bullets(.destructive), "" else empty end),
           (if (.added | length) > 0 then "Added:\n", bullets(.added), "" else empty end),
           (if (.changed | length) > 0 then
              "Changed:\n",
              (.changed | to_entries[] | "- `\(.key)`", (.value[] | "  - \(.)")),
              ""
            else empty end),
           (if (.removed | length) > 0 then "Removed:\n", bullets(.removed), "" else empty end),
           (if .omitted > 0 then "_and \(.omitted) more objects not listed_\n" else empty end),
           (if (.changed_by // {} | length) > 0 then
              "Who changed it (Xano audit log, newest first):\n",
              (.changed_by | to_entries[] | "- `\(.key)`", (.value[] | "  - \(.)")),
              ""
            else empty end),
           (if .changed_by_note != null then "_Who made these changes is not known: \(.changed_by_note)._\n" else empty end)
         end))
    end'
