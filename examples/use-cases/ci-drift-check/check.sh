#!/usr/bin/env bash
# Drift check for production's Xano branch: runs `plan -detailed-exitcode` and
# turns its exit code into a message a CI log (or a chat notification) can show.
#
#   exit 0  production matches the configuration: nothing to do
#   exit 2  drift: production no longer matches what the last apply put there
#           (or the configuration changed and was not applied yet)
#   exit 1  the check itself failed: credentials, network, configuration...
#
# Usage: ./check.sh [more plan arguments, e.g. -var workspace_id=2]
# Environment: TERRAFORM_BIN, the CLI to run (default: tofu when it is on PATH,
# else terraform); XANO_INSTANCE_URL and XANO_TOKEN for the provider.
# Run `init` first. The plan is saved to drift.tfplan for a closer look.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

tf="${TERRAFORM_BIN:-}"
if [[ -z "$tf" ]]; then
	if command -v tofu >/dev/null 2>&1; then
		tf=tofu
	else
		tf=terraform
	fi
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

"$tf" plan -detailed-exitcode -input=false -no-color -lock-timeout=5m -out=drift.tfplan "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

echo
case "$rc" in
0)
	echo "drift check: OK, production matches the configuration."
	exit 0
	;;
2)
	echo "drift check: DRIFT, production no longer matches what Terraform put there."
	echo "What the plan would change:"
	# The plan's "# <address> will be ..." lines: a branch to re-import (edited in
	# the UI), to make live again, or to import anew (deleted).
	grep -E '^[[:space:]]*# .* (will be|must be)' "$log" | sed 's/^[[:space:]]*/  /'
	echo "Review the plan above, then run apply to put production back, or update"
	echo "the archive in the repository if the change made in Xano is to be kept."
	exit 2
	;;
*)
	echo "drift check: ERROR, the plan failed (exit code $rc); see the messages above."
	exit 1
	;;
esac
