#!/usr/bin/env bash
# The proof that make testacc-live needs nothing but the public Metadata API: it starts
# bin/xano-emulator WITHOUT its control API (no -control), on a free loopback port and with a
# token of its own, checks that /_emulator/ is not served, and runs scripts/testacc-live.sh
# against it (workspace 1 of the demo seed). The emulator is stopped by its process id.
#
# Usage: scripts/testacc-live-emulator.sh [go test arguments...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="${XANO_EMULATOR_BINARY:-$root/bin/xano-emulator}"
if [[ ! -x "$bin" ]]; then
	echo "testacc-live-emulator: $bin is missing; run 'make emulator'" >&2
	exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-live-emulator.XXXXXX")"
pid=""
cleanup() {
	if [[ -n "$pid" ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

token="live-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$bin" -addr 127.0.0.1:0 -token "$token" >"$work/out" 2>"$work/err" &
pid=$!
url=""
for _ in $(seq 1 100); do
	url="$(sed -n 's/^instance_url: //p' "$work/out")"
	[[ -n "$url" ]] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "testacc-live-emulator: the emulator did not start:" >&2
		cat "$work/err" >&2
		exit 1
	fi
	sleep 0.1
done
if [[ -z "$url" ]]; then
	echo "testacc-live-emulator: the emulator printed no instance_url" >&2
	exit 1
fi
if command -v curl >/dev/null; then
	status="$(curl -s -o /dev/null -w '%{http_code}' "$url/_emulator/requests")"
	if [[ "$status" != 404 ]]; then
		echo "testacc-live-emulator: the control API answers ($status): the proof needs it off" >&2
		exit 1
	fi
	echo "testacc-live-emulator: $url serves no control API (GET /_emulator/requests: 404)"
fi

XANO_LIVE_INSTANCE_URL="$url" XANO_LIVE_TOKEN="$token" XANO_LIVE_WORKSPACE_ID=1 \
	scripts/testacc-live.sh "$@"
