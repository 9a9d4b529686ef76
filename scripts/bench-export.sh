#!/usr/bin/env bash
# Side-by-side download of one large workspace export from the local emulator:
# curl versus the provider's own client (internal/xano, via scripts/bench-export),
# both discarding the bytes. Reports size, seconds, MB/s and peak RSS of each.
#
# The emulator generates the table rows as it streams, so the fixture costs no
# memory; only loopback is used, every run is bounded by a timeout, and the
# emulator is stopped on exit.
# Environment: BENCH_MIB (table size in MiB, default 512), BENCH_ROW_BYTES
# (default 1024: short rows compress less, so more bytes cross the wire),
# BENCH_RUNS (downloads per client, default 2), BENCH_TIMEOUT (seconds per
# download, default 600).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mib="${BENCH_MIB:-512}"
row_bytes="${BENCH_ROW_BYTES:-1024}"
runs="${BENCH_RUNS:-2}"
limit="${BENCH_TIMEOUT:-600}"
rows=$((mib * 1024 * 1024 / row_bytes))
raw_bytes=$((rows * row_bytes))

for tool in curl /usr/bin/time; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench-export: $tool is missing (Debian: apt-get install -y curl time)" >&2
		exit 1
	fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-bench.XXXXXX")"
emulator_pid=""
cleanup() {
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> building the emulator and the client benchmark"
"${MAKE:-make}" --no-print-directory emulator
go build -o "$work/bench-export" ./scripts/bench-export

token="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
bin/xano-emulator -addr 127.0.0.1:0 -token "$token" -seed "" -control >"$work/emulator.log" 2>&1 &
emulator_pid=$!
url=""
for _ in $(seq 1 100); do
	url="$(sed -n 's/^instance_url: *//p' "$work/emulator.log" | head -n1 | tr -d '\r')"
	[[ -n "$url" ]] && break
	kill -0 "$emulator_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ -z "$url" ]]; then
	cat "$work/emulator.log" >&2
	echo "bench-export: the emulator did not start" >&2
	exit 1
fi

echo "==> seeding workspace 1 with a table of $rows rows of $row_bytes bytes (~$mib MiB) at $url"
curl -sS --fail-with-body --max-time 60 -X POST -H "Authorization: Bearer $token" \
	-H "Content-Type: application/json" "$url/_emulator/seed" \
	--data "{\"workspaces\":[{\"id\":1,\"name\":\"big\",\"tables\":[{\"name\":\"rows\",\"rows\":$rows,\"row_bytes\":$row_bytes}]}]}" \
	>/dev/null

# measure NAME CMD...: runs CMD under GNU time and prints one result line.
measure() {
	local name="$1"
	shift
	local out="$work/out" tv="$work/time"
	if ! /usr/bin/time -v -o "$tv" "$@" >"$out" 2>&1; then
		cat "$out" "$tv" >&2
		echo "bench-export: $name failed" >&2
		exit 1
	fi
	local bytes secs rss
	case "$name" in
	curl) read -r bytes secs <"$out" ;;
	*)
		bytes="$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$out")"
		secs="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$out")"
		;;
	esac
	rss="$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tv")"
	awk -v n="$name" -v b="$bytes" -v s="$secs" -v r="$rss" -v raw="$raw_bytes" 'BEGIN {
		if (s <= 0) s = 0.001
		printf "  %-16s %9.2f %8.2f %9.1f %9.1f %9.1f\n", n, b / 1048576, s, b / 1e6 / s, raw / 1e6 / s, r / 1024 }'
}
header() {
	printf "  %-16s %9s %8s %9s %9s %9s\n" client "MiB down" seconds "MB/s" "rows MB/s" "peak RSS"
	printf "  %-16s %9s %8s %9s %9s %9s\n" "" "" "" "(down)" "(export)" "(MiB)"
}

export XANO_INSTANCE_URL="$url" XANO_TOKEN="$token"
echo "==> POST /api:meta/workspace/1/export, $runs download(s) per client, bytes discarded"
echo "    (the emulator gzips the archive as it generates the rows, so far fewer bytes cross the"
echo "    wire than the table holds: 'rows MB/s' is the table size over the time of the export)"
header
for _ in $(seq 1 "$runs"); do
	measure curl curl -sS --fail --max-time "$limit" -o /dev/null -w '%{size_download} %{time_total}\n' \
		-X POST -H "Authorization: Bearer $token" "$url/api:meta/workspace/1/export"
	measure "provider client" "$work/bench-export" -url "$url" -workspace 1 -timeout "${limit}s"
done
