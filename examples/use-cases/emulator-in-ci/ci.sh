#!/usr/bin/env bash
# A CI job for a Terraform configuration that manages Xano: it starts a local
# Xano emulator seeded with fixture.json, applies the configuration to it, and
# runs `plan -detailed-exitcode`, which must find nothing to do (exit 0) once the
# apply is done. Nothing leaves the machine: the emulator listens on loopback.
#
#   exit 0  the configuration applies and converges
#   exit 1  something failed (the emulator, init, apply, or the plan)
#   exit 2  the plan after the apply still has changes: the configuration does
#           not converge (a value that changes on every run, for instance)
#
# Environment: XANO_EMULATOR, the emulator command (default: xano-emulator on
# PATH; download it from the provider's releases or `go install
# github.com/xano-community/terraform-provider-xano/cmd/xano-emulator@latest`);
# TERRAFORM_BIN, the CLI (default: tofu when it is on PATH, else terraform).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

emulator="${XANO_EMULATOR:-xano-emulator}"
tf="${TERRAFORM_BIN:-}"
if [[ -z "$tf" ]]; then
	if command -v tofu >/dev/null 2>&1; then tf=tofu; else tf=terraform; fi
fi

log="$(mktemp)"
emulator_pid=""
cleanup() {
	if [[ -n "$emulator_pid" ]]; then
		kill "$emulator_pid" 2>/dev/null
		wait "$emulator_pid" 2>/dev/null
	fi
	rm -f "$log"
}
trap cleanup EXIT

# Port 0: the emulator picks a free port and prints the URL it listens on.
"$emulator" -addr 127.0.0.1:0 -fixture fixture.json >"$log" 2>&1 &
emulator_pid=$!
url=""
for _ in $(seq 100); do
	url="$(sed -n 's/^instance_url: //p' "$log")"
	[[ -n "$url" ]] && break
	if ! kill -0 "$emulator_pid" 2>/dev/null; then break; fi
	sleep 0.1
done
if [[ -z "$url" ]]; then
	echo "ci: the emulator did not start:" >&2
	cat "$log" >&2
	exit 1
fi
XANO_INSTANCE_URL="$url"
XANO_TOKEN="$(sed -n 's/^token: //p' "$log")"
export XANO_INSTANCE_URL XANO_TOKEN
echo "ci: emulator at $url, seeded with fixture.json"

# The emulator starts empty on every run, so the state of an earlier run means
# nothing: this job keeps its own state file, ci.tfstate, and starts it afresh.
rm -f ci.tfstate ci.tfstate.backup
"$tf" init -input=false -no-color >/dev/null || { echo "ci: init failed" >&2; exit 1; }
"$tf" apply -state=ci.tfstate -auto-approve -input=false -no-color || { echo "ci: apply failed" >&2; exit 1; }
"$tf" plan -state=ci.tfstate -detailed-exitcode -input=false -no-color
rc=$?
case "$rc" in
0) echo "ci: OK, the configuration applies and converges" ;;
2) echo "ci: FAILED, the plan after apply still has changes" >&2 ;;
*) echo "ci: FAILED, the plan failed (exit code $rc)" >&2; rc=1 ;;
esac
exit "$rc"
