#!/usr/bin/env bash
# Runs the acceptance suite against a real Xano instance (or any Metadata API without the
# emulator's control API): the tests that need only the public Metadata API run, every other one
# skips itself, saying what it needs (a seeded emulator, its control API, faults, or an import
# over a workspace). See CONTRIBUTING.md.
#
#   XANO_LIVE_INSTANCE_URL  the instance origin, e.g. https://x1a2-b3c4-d5e6.n7.xano.io
#   XANO_LIVE_TOKEN         a Metadata API token with read and write scopes on the workspace
#   XANO_LIVE_WORKSPACE_ID  a scratch workspace: the tests read it, export its schema, and add
#                           branches labelled tfacc_<random> that they delete again
#
# They never import over a workspace and never change which branch is live.
# Usage: scripts/testacc-live.sh [go test arguments...]; the environment of scripts/testacc.sh
# applies (ACC_PARALLEL, ACC_TIMEOUT, ...).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

missing=()
for v in XANO_LIVE_INSTANCE_URL XANO_LIVE_TOKEN XANO_LIVE_WORKSPACE_ID; do
	[[ -n "${!v:-}" ]] || missing+=("$v")
done
if [[ ${#missing[@]} -gt 0 ]]; then
	echo "testacc-live: set ${missing[*]} (see CONTRIBUTING.md: the instance, a token, a scratch workspace id)" >&2
	exit 2
fi
if ! [[ "$XANO_LIVE_WORKSPACE_ID" =~ ^[1-9][0-9]*$ ]]; then
	echo "testacc-live: XANO_LIVE_WORKSPACE_ID must be a workspace id (a positive integer)" >&2
	exit 2
fi
export XANO_LIVE_INSTANCE_URL XANO_LIVE_TOKEN XANO_LIVE_WORKSPACE_ID
# A real instance is shared and slower than loopback: fewer tests at once by default.
export ACC_PARALLEL="${ACC_PARALLEL:-2}"
echo "testacc-live: against $XANO_LIVE_INSTANCE_URL, workspace $XANO_LIVE_WORKSPACE_ID (token not shown)"
exec scripts/testacc.sh -run '^TestAcc' "$@"
