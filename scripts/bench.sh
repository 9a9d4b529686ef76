#!/usr/bin/env bash
# make bench: the provider through a real `tofu apply`, side by side with curl on the same
# emulator endpoint, in one run, for archives of several sizes:
#
#   export   a xano_workspace_snapshot (include_data) apply  vs  curl POST .../export -o FILE
#   export at 100 MB/s (emulator -export-bytes-per-second), when the emulator has the flag
#   import   a xano_workspace_import apply                    vs  curl multipart POST .../import
#            and the apply of the same import's plan saved beforehand (tofu plan -out; not timed)
#   hash     go run ./scripts/bench-hash FILE (when present)  vs  gzip -dc FILE | sha256sum
#            and vs bench-hash -inflate FILE (inflating alone: the floor under any inspection)
#   RSS      the provider process's peak RSS, and its CPU time (user + system, all the apply's
#            provider processes): dev_overrides points at a wrapper that execs the provider
#            under /usr/bin/time -v
#   export to S3  the export row's snapshot apply with output_url to a local MinIO  vs  the same
#            apply to a local file (when XANO_MINIO_BINARY names MinIO; make bench builds and sets it)
#   decoders inflating the archive alone on one core with each gzip decoder: the standard
#            library, klauspost/compress, internal/inflate (bench-hash -inflate -decoder ...) and
#            gzip -dc; and bench-hash with XANO_INFLATE=klauspost against the built-in inflater
#
# Each measurement is repeated BENCH_RUNS times; the table gives, per row, the median and the
# spread (min..max) of the ratio of each run (provider throughput / curl throughput; for the
# hash, gzip|sha256sum time / bench-hash time: above 1 is faster).
#
# Everything runs on loopback against emulators started here, every command is bounded by a
# timeout, and the emulators and files are removed on exit. Needs Go, curl, gzip, sha256sum
# and GNU time (/usr/bin/time; Debian: apt-get install -y curl time).
#
# Environment:
#   BENCH_SIZES     archive sizes in MiB (default "64 256 1024")
#   BENCH_ROWS      the rows to run (default "export import hash"; export includes the export to
#                   S3 and at 100 MB/s, hash includes the decoder rows)
#   BENCH_RUNS      repetitions of each measurement (default 3)
#   BENCH_ROW_BYTES bytes per generated row (default 1024)
#   BENCH_RATE      bytes per second of the throttled rows (default 100000000)
#   BENCH_TIMEOUT   seconds allowed to one command (default 900)
#   TOFU            the CLI (default .tools/bin/tofu, built by make bench)
#   BENCH_KEEP=1    keep the working folder
#   XANO_MINIO_BINARY  the MinIO server for the "export to S3" rows (skipped when unset)
#   BENCH_PIN=1     pinned-core mode: the emulators on CPU 0, every client (tofu and the provider,
#                   curl, gzip, bench-hash) on CPU 1, so that neither is charged with the other's
#                   work (needs taskset and 2 CPUs); the decoder rows are pinned to CPU 1 always
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

sizes="${BENCH_SIZES:-64 256 1024}"
rows_wanted=" ${BENCH_ROWS:-export import hash} "
runs="${BENCH_RUNS:-3}"
row_bytes="${BENCH_ROW_BYTES:-1024}"
rate="${BENCH_RATE:-100000000}"
limit="${BENCH_TIMEOUT:-900}"
tofu="${TOFU:-$root/.tools/bin/tofu}"
emulator="$root/bin/xano-emulator"
provider="$root/bin/terraform-provider-xano"

die() {
	echo "bench: $*" >&2
	exit 1
}

for tool in curl gzip sha256sum timeout /usr/bin/time; do
	command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y curl gzip coreutils time)"
done
[[ -x "$tofu" ]] || die "$tofu is missing: run make bench (it builds the pinned OpenTofu) or set TOFU"
[[ -x "$emulator" && -x "$provider" ]] || die "bin/xano-emulator or bin/terraform-provider-xano is missing: run make build emulator"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
for s in $sizes; do
	[[ "$s" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: $s is not a size in MiB"
done
for r in $rows_wanted; do
	[[ $r == export || $r == import || $r == hash ]] || die "BENCH_ROWS: $r is not one of export, import, hash"
done
# want ROW: whether BENCH_ROWS asks for ROW.
want() { [[ $rows_wanted == *" $1 "* ]]; }

# ---- pinned cores (BENCH_PIN=1) and the decoder rows ----

server_pin=()
client_pin=()
one_core=()
# pin_setup: with BENCH_PIN=1, server_pin and client_pin prefix commands with taskset on CPU 0
# and CPU 1; one_core pins the decoder rows to CPU 1 whenever taskset is there.
pin_setup() {
	if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
		one_core=(taskset -c 1)
	fi
	if [[ "${BENCH_PIN:-}" == 1 ]]; then
		[[ ${#one_core[@]} -gt 0 ]] || die "BENCH_PIN=1 needs taskset and at least 2 CPUs"
		server_pin=(taskset -c 0)
		client_pin=(taskset -c 1)
	fi
}
pin_setup

# decoder_rows MIB ARCHIVE RUN: inflate ARCHIVE alone with each decoder on one core, and the
# inspection with the previous decoder; appends "MIB decoder run seconds bytes" lines to
# $decoders.
decoder_rows() {
	local mib="$1" archive="$2" run="$3" bytes t0 d
	bytes=$(stat -c %s "$archive")
	for d in stdlib klauspost builtin; do
		t0=$(now)
		timeout "$limit" "${one_core[@]}" "$hasher" -inflate -decoder "$d" "$archive" >/dev/null
		echo "$mib $d $run $(elapsed "$t0") $bytes" >>"$decoders"
	done
	t0=$(now)
	timeout "$limit" "${one_core[@]}" sh -c 'gzip -dc "$1" >/dev/null' sh "$archive"
	echo "$mib gzip-dc $run $(elapsed "$t0") $bytes" >>"$decoders"
	for d in klauspost builtin; do
		t0=$(now)
		XANO_INFLATE=$d timeout "$limit" "$hasher" "$archive" >/dev/null
		echo "$mib hash-$d $run $(elapsed "$t0") $bytes" >>"$decoders"
	done
}

# decoder_table: the decoder rows, each with its ratio to klauspost/compress in the same run
# (klauspost seconds / decoder seconds: above 1 is faster), median (min..max).
decoder_table() {
	[[ -s "$decoders" ]] || return 0
	echo
	echo "decoders: inflating the archive alone on one core$([[ ${#one_core[@]} -gt 0 ]] && echo " (${one_core[*]})"); inspection: bench-hash (both cores)"
	echo "ratio = klauspost/compress seconds / these seconds, per run (inspection: bench-hash with XANO_INFLATE=klauspost); median (min..max)"
	awk '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
function med(a, n) { sort(a, n); return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{ secs[$1, $2, $3] = $4 > 0 ? $4 : 0.001; bytes[$1] = $5; if (!(($1, $2) in seen)) { seen[$1, $2] = 1; order[++k] = $1 SUBSEP $2 }; runs[$1, $2] = ($3 > runs[$1, $2]) ? $3 : runs[$1, $2] }
END {
	printf "%-8s %-28s %10s %10s %s\n", "archive", "decoder", "s med", "MB/s", "vs klauspost med (min..max)"
	for (i = 1; i <= k; i++) {
		split(order[i], f, SUBSEP); mib = f[1]; d = f[2]; n = runs[mib, d]
		base = (d ~ /^hash-/) ? "hash-klauspost" : "klauspost"
		lo = 1e18; hi = 0
		for (r = 1; r <= n; r++) { s[r] = secs[mib, d, r]; q[r] = secs[mib, base, r] / s[r]; if (q[r] < lo) lo = q[r]; if (q[r] > hi) hi = q[r] }
		sm = med(s, n); qm = med(q, n)
		name = d
		if (d == "stdlib") name = "compress/gzip (stdlib)"
		if (d == "klauspost") name = "klauspost/compress"
		if (d == "builtin") name = "internal/inflate"
		if (d == "gzip-dc") name = "gzip -dc"
		if (d == "hash-klauspost") name = "inspection, klauspost"
		if (d == "hash-builtin") name = "inspection, internal/inflate"
		printf "%-8s %-28s %10.2f %10.1f %s\n", mib " MiB", name, sm, bytes[mib] / 1e6 / sm, sprintf("%.2fx (%.2f..%.2f)", qm, lo, hi)
	}
}' "$decoders"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-bench.XXXXXX")"
pids=()
cleanup() {
	local rc=$?
	for pid in "${pids[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [[ "${BENCH_KEEP:-}" == 1 ]]; then
		echo "bench: kept $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- what this checkout offers (features of other branches are used once merged) ----

throttle=0
# (the help text is read whole first: with pipefail, grep -q closing the pipe early would make
# the emulator's SIGPIPE fail the test)
emulator_help="$("$emulator" -help 2>&1 || true)"
if grep -q -- '-export-bytes-per-second' <<<"$emulator_help"; then
	throttle=1
fi
row_kind=""
if grep -q 'json:"row_kind' internal/emulator/*.go; then
	row_kind="realistic"
fi
hasher=""
if [[ -f scripts/bench-hash/main.go ]]; then
	go build -o "$work/bench-hash" ./scripts/bench-hash
	hasher="$work/bench-hash"
fi

# ---- the provider under /usr/bin/time, for dev_overrides ----

mkdir -p "$work/plugin"
cat >"$work/plugin/terraform-provider-xano" <<EOF
#!/bin/sh
# Runs the provider under GNU time, appending its resource use to \$XANO_BENCH_RSS_FILE.
exec /usr/bin/time -v -a -o "\${XANO_BENCH_RSS_FILE:-/dev/null}" "$provider" "\$@"
EOF
chmod 0755 "$work/plugin/terraform-provider-xano"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.opentofu.org/xano-community/xano" = "$work/plugin"
    "registry.terraform.io/xano-community/xano" = "$work/plugin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
while IFS= read -r name; do
	unset "$name"
done < <(compgen -e | grep -E '^TF_(CLI_ARGS|LOG|PLUGIN_CACHE_DIR|WORKSPACE)' || true)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

# ---- emulators ----

token="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

# start_emulator NAME [FLAGS...]: starts an emulator on a free loopback port; sets $url.
start_emulator() {
	local name="$1"
	shift
	"${server_pin[@]}" "$emulator" -addr 127.0.0.1:0 -token "$token" -seed "" -control "$@" >"$work/$name.log" 2>&1 &
	pids+=("$!")
	url=""
	for _ in $(seq 1 100); do
		url="$(sed -n 's/^instance_url: *//p' "$work/$name.log" | head -n1 | tr -d '\r')"
		[[ -n "$url" ]] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/$name.log" >&2
	die "the emulator ($name) did not start"
}

start_emulator plain
url_plain="$url"
url_slow=""
if [[ $throttle == 1 ]]; then
	start_emulator slow -export-bytes-per-second "$rate"
	url_slow="$url"
fi

# seed URL ROWS: workspace 1 holds one table of ROWS generated rows, workspace 2 is empty.
seed() {
	local kind=""
	[[ -n "$row_kind" ]] && kind=",\"row_kind\":\"$row_kind\""
	curl -sS --fail-with-body --max-time 60 -X POST -H "Content-Type: application/json" "$1/_emulator/seed" \
		--data "{\"workspaces\":[{\"id\":1,\"name\":\"big\",\"tables\":[{\"name\":\"rows\",\"rows\":$2,\"row_bytes\":$row_bytes$kind}]},{\"id\":2,\"name\":\"target\"}]}" \
		>/dev/null
}

# curl_export URL FILE: the full export of workspace 1 into FILE.
curl_export() {
	"${client_pin[@]}" curl -sS --fail --max-time "$limit" -o "$2" -X POST -H "Authorization: Bearer $token" \
		-H "Content-Type: application/json" --data '{"branch":"","password":""}' "$1/api:meta/workspace/1/export"
}

now() { date +%s.%N; }

# elapsed START: seconds since START.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# peak_rss FILE: the largest "Maximum resident set size" in FILE, in KiB (0 when none).
peak_rss() {
	awk -F': *' '/Maximum resident set size/ { if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }' "$1" 2>/dev/null || echo 0
}

# provider_cpu FILE: the CPU seconds (user + system) of all the provider processes in FILE.
provider_cpu() {
	awk -F': *' '/User time \(seconds\)|System time \(seconds\)/ { t += $2 } END { printf "%.2f\n", t + 0 }' "$1" 2>/dev/null || echo 0
}

# run_tofu DIR RSSFILE [ARGS...]: tofu apply in DIR (or tofu ARGS), bounded, provider resource use
# appended to RSSFILE.
run_tofu() {
	local dir="$1" rss="$2"
	shift 2
	[[ $# -gt 0 ]] || set -- apply -auto-approve
	if ! (cd "$dir" && XANO_BENCH_RSS_FILE="$rss" timeout "$limit" "${client_pin[@]}" "$tofu" "$1" -input=false -no-color "${@:2}" >>"$dir/apply.log" 2>&1); then
		cat "$dir/apply.log" >&2
		die "tofu $* in $dir failed"
	fi
}

# ---- object storage: a MinIO on loopback for the "export to S3" rows ----

minio_url=""
minio_bucket="bench"
minio_pid=""
store_cpu_file=""

# proc_cpu PID: the CPU seconds (user + system) PID has used so far (0 when unknown).
proc_cpu() {
	awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# start_minio: starts MinIO (XANO_MINIO_BINARY) on a free port with random credentials, creates the
# bucket (curl --aws-sigv4), and exports the credentials for the provider (the standard AWS chain).
start_minio() {
	local bin="${XANO_MINIO_BINARY:-}" port
	[[ -n "$bin" ]] || return 0
	[[ -x "$bin" ]] || die "XANO_MINIO_BINARY=$bin is not executable: run make minio"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000)))
	AWS_ACCESS_KEY_ID="bench$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
	AWS_SECRET_ACCESS_KEY="$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	unset AWS_PROFILE AWS_SESSION_TOKEN
	# TLS, as every cloud store is reached: over plain HTTP the AWS SDK signs each part's SHA-256 and
	# MinIO checks it, two hashes of the whole archive that an https:// store never asks for. The
	# certificate is made by Go's own generator and trusted through AWS_CA_BUNDLE (the AWS chain's
	# setting for a private CA).
	mkdir -p "$work/minio-certs"
	(cd "$work/minio-certs" && go run "$(go env GOROOT)/src/crypto/tls/generate_cert.go" --host 127.0.0.1 --ecdsa-curve P256 >/dev/null 2>&1) ||
		die "cannot make a TLS certificate for MinIO (go run crypto/tls/generate_cert.go)"
	mv "$work/minio-certs/cert.pem" "$work/minio-certs/public.crt"
	mv "$work/minio-certs/key.pem" "$work/minio-certs/private.key"
	export AWS_CA_BUNDLE="$work/minio-certs/public.crt"
	MINIO_ROOT_USER="$AWS_ACCESS_KEY_ID" MINIO_ROOT_PASSWORD="$AWS_SECRET_ACCESS_KEY" MINIO_BROWSER=off MINIO_UPDATE=off \
		HOME="$work" "${server_pin[@]}" "$bin" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:0" \
		--certs-dir "$work/minio-certs" "$work/minio-data" >"$work/minio.log" 2>&1 &
	pids+=("$!")
	minio_pid=$!
	minio_url="https://127.0.0.1:$port"
	for _ in $(seq 1 300); do
		curl -sf --cacert "$AWS_CA_BUNDLE" "$minio_url/minio/health/ready" >/dev/null 2>&1 && break
		sleep 0.2
	done
	curl -sf --cacert "$AWS_CA_BUNDLE" "$minio_url/minio/health/ready" >/dev/null || {
		cat "$work/minio.log" >&2
		die "MinIO did not start"
	}
	curl -sS --fail --cacert "$AWS_CA_BUNDLE" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-X PUT "$minio_url/$minio_bucket" >/dev/null || die "cannot create the MinIO bucket"
}
start_minio

# snapshot_config DIR URL DESTINATION: writes DIR/main.tf, the export rows' snapshot (include_data)
# of workspace 1 at URL; DESTINATION (its output_path or output_url line) is the only difference
# between the rows.
snapshot_config() {
	cat >"$1/main.tf" <<EOF
terraform {
  required_providers {
    xano = { source = "xano-community/xano" }
  }
}
provider "xano" {
  instance_url    = "$2"
  request_timeout = "${limit}s"
}
resource "xano_workspace_snapshot" "bench" {
  workspace_id = 1
  include_data = true
  $3
  timeouts {
    create = "${limit}s"
  }
}
EOF
}

# bench_s3_export URL MIB RUN FILE_SECS: the export row's snapshot, to MinIO instead of a file,
# through the same tofu apply; the row's ratio is the file apply's time over this one's (above 1:
# the object is faster), and its RSS the provider's peak, as in the other rows.
bench_s3_export() {
	[[ -n "$minio_url" ]] || return 0
	local u="$1" mib="$2" run="$3" file_secs="$4" d t0 p got c0
	d="$work/export-s3-$mib-$run"
	mkdir -p "$d"
	snapshot_config "$d" "$u" "output_url   = \"s3://$minio_bucket/export-$mib-$run.tar.gz?endpoint=$minio_url&use_path_style=true&region=us-east-1&full_object_checksum=true\""
	c0=$(proc_cpu "$minio_pid")
	t0=$(now)
	XANO_TOKEN="$token" run_tofu "$d" "$d/rss"
	p=$(elapsed "$t0")
	echo "$mib $(awk -v a="$c0" -v b="$(proc_cpu "$minio_pid")" 'BEGIN { printf "%.2f", b - a }')" >>"$store_cpu_file"
	got=$(sed -n 's/.*"archive_size": *\([0-9]*\).*/\1/p' "$d/terraform.tfstate" | head -n1)
	echo "$mib export-s3 $run $file_secs $p ${got:-0} $(peak_rss "$d/rss") $(provider_cpu "$d/rss")" >>"$results"
	echo "    run $run export to S3 (MinIO): tofu apply ${p}s (to a file: ${file_secs}s)"
	curl -sS --cacert "$AWS_CA_BUNDLE" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-X DELETE "$minio_url/$minio_bucket/export-$mib-$run.tar.gz" >/dev/null || true
	rm -rf "$d"
}

# bench_import MIB RUN: the import of $archive into workspace 2: curl, then the provider twice:
# `tofu apply` (plan and apply in one command: the plan reads the archive to show its changes),
# and the apply of a plan saved beforehand (`tofu plan -out`, not timed; the reviewed-promotion
# flow), which is the import alone.
bench_import() {
	local mib="$1" run="$2" c d p how
	t0=$(now)
	"${client_pin[@]}" curl -sS --fail --max-time "$limit" -o /dev/null -X POST -H "Authorization: Bearer $token" \
		-F "file=@$archive;type=application/gzip" -F "password=" "$url_plain/api:meta/workspace/2/import"
	c=$(elapsed "$t0")
	for how in oneshot saved; do
		d="$work/import-$mib-$run-$how"
		mkdir -p "$d"
		# A fresh inspection cache for each row: the runs import the same archive, and the plan of
		# the next run would otherwise find what this one's read.
		export XANO_INSPECTION_CACHE_DIR="$d/inspection-cache"
		cat >"$d/main.tf" <<EOF
terraform {
  required_providers {
    xano = { source = "xano-community/xano" }
  }
}
provider "xano" {
  instance_url    = "$url_plain"
  request_timeout = "${limit}s"
}
resource "xano_workspace_import" "bench" {
  workspace_id    = 2
  source_path     = "$archive"
  source_sha256   = "$sha"
  allow_data_loss = true
  timeouts {
    create = "${limit}s"
  }
}
EOF
		if [[ $how == oneshot ]]; then
			t0=$(now)
			XANO_TOKEN="$token" run_tofu "$d" "$d/rss"
			p=$(elapsed "$t0")
			echo "$mib import $run $c $p $bytes $(peak_rss "$d/rss") $(provider_cpu "$d/rss")" >>"$results"
			echo "    run $run import: curl ${c}s, tofu apply ${p}s"
		else
			XANO_TOKEN="$token" run_tofu "$d" /dev/null plan -out=import.tfplan
			t0=$(now)
			XANO_TOKEN="$token" run_tofu "$d" "$d/rss" apply import.tfplan
			p=$(elapsed "$t0")
			echo "$mib import-saved $run $c $p $bytes $(peak_rss "$d/rss") $(provider_cpu "$d/rss")" >>"$results"
			echo "    run $run import: curl ${c}s, tofu apply of the saved plan ${p}s"
		fi
		rm -rf "$d"
	done
	unset XANO_INSPECTION_CACHE_DIR
}

results="$work/results" # lines: size kind run curl_secs provider_secs bytes rss_kib provider_cpu_secs
: >"$results"
noop="$work/noop" # lines: size secs (an apply of one data source, after the export at 100 MB/s)
store_cpu_file="$work/store-cpu" # lines: size secs (MinIO's CPU time during one export to S3)
: >"$noop"
decoders="$work/decoders" # lines: size decoder run secs bytes (decoder_rows)
: >"$decoders"
has_decoders=0
if [[ -n "$hasher" ]] && grep -q -- '-decoder' scripts/bench-hash/main.go; then
	has_decoders=1
fi

# ---- calibration: how many rows make an archive of N MiB ----

echo "==> emulator features: throttle flag $([[ $throttle == 1 ]] && echo yes || echo 'no (the 100 MB/s rows are skipped)'),"
echo "    row_kind $([[ -n $row_kind ]] && echo "$row_kind" || echo 'not supported (the emulator'"'"'s own rows)'),"
echo "    content hash command $([[ -n $hasher ]] && echo 'go run ./scripts/bench-hash' || echo 'absent (scripts/bench-hash: the hash rows are skipped)')"
cal_rows=$((16 * 1048576 / row_bytes))
seed "$url_plain" "$cal_rows"
curl_export "$url_plain" "$work/cal.tar.gz"
cal_size=$(stat -c %s "$work/cal.tar.gz")
ratio=$(awk -v r="$cal_rows" -v b="$row_bytes" -v s="$cal_size" 'BEGIN { printf "%.2f", r * b / s }')
rm -f "$work/cal.tar.gz"
echo "==> rows of $row_bytes bytes compress $ratio:1 in this emulator's exports"

for mib in $sizes; do
	rows=$(awk -v m="$mib" -v r="$ratio" -v b="$row_bytes" 'BEGIN { printf "%d", m * 1048576 * r / b }')
	echo
	echo "==> $mib MiB archive: a table of $rows rows of $row_bytes bytes"
	seed "$url_plain" "$rows"
	[[ -n "$url_slow" ]] && seed "$url_slow" "$rows"
	archive="$work/archive-$mib.tar.gz"
	# The first export builds (and, with h-emu-size, caches) the archive: not measured.
	curl_export "$url_plain" "$archive"
	[[ -n "$url_slow" ]] && curl_export "$url_slow" /dev/null
	bytes=$(stat -c %s "$archive")
	sha=$(sha256sum "$archive" | cut -d' ' -f1)
	content=""
	echo "    archive: $bytes bytes, sha256 $sha"

	for run in $(seq 1 "$runs"); do
		for mode in plain slow; do
			want export || continue
			u="$url_plain"
			if [[ $mode == slow ]]; then
				[[ -n "$url_slow" ]] || continue
				u="$url_slow"
			fi
			# export: curl, then the provider
			t0=$(now)
			curl_export "$u" "$work/curl.tar.gz"
			c=$(elapsed "$t0")
			rm -f "$work/curl.tar.gz"
			d="$work/export-$mib-$mode-$run"
			mkdir -p "$d"
			snapshot_config "$d" "$u" 'output_path  = "${path.module}/snapshot.tar.gz"'
			t0=$(now)
			XANO_TOKEN="$token" run_tofu "$d" "$d/rss"
			p=$(elapsed "$t0")
			got=$(stat -c %s "$d/snapshot.tar.gz")
			if [[ $mode == plain && $run == 1 ]]; then
				content=$(sed -n 's/.*"content_sha256": *"\([0-9a-f]*\)".*/\1/p' "$d/terraform.tfstate" | head -n1)
				echo "    provider content_sha256: ${content:-null}"
			fi
			echo "$mib export-$mode $run $c $p $got $(peak_rss "$d/rss") $(provider_cpu "$d/rss")" >>"$results"
			echo "    run $run export ($mode): curl ${c}s, tofu apply ${p}s"
			if [[ $mode == slow ]]; then
				# The CLI's fixed cost: an apply of one data source that makes one small request (CLI
				# start, provider starts, plan, state), which every apply pays and curl does not.
				mkdir -p "$d/noop"
				cat >"$d/noop/main.tf" <<EOF
terraform {
  required_providers {
    xano = { source = "xano-community/xano" }
  }
}
provider "xano" {
  instance_url = "$u"
}
data "xano_workspace" "w" {
  workspace_id = 1
}
EOF
				t0=$(now)
				XANO_TOKEN="$token" run_tofu "$d/noop" /dev/null
				echo "$mib $(elapsed "$t0")" >>"$noop"
			fi
			rm -rf "$d"
			if [[ $mode == plain ]]; then bench_s3_export "$u" "$mib" "$run" "$p"; fi
		done

		if want import; then bench_import "$mib" "$run"; fi

		# content hash: gzip -dc | sha256sum, then bench-hash
		if [[ -n "$hasher" ]] && want hash; then
			t0=$(now)
			timeout "$limit" "${client_pin[@]}" sh -c 'gzip -dc "$1" | sha256sum >/dev/null' sh "$archive"
			c=$(elapsed "$t0")
			t0=$(now)
			timeout "$limit" "${client_pin[@]}" "$hasher" "$archive" >"$work/hash.out"
			p=$(elapsed "$t0")
			if [[ $run == 1 ]]; then
				echo "    bench-hash: $(head -n1 "$work/hash.out")"
				h="$(grep -oE '[0-9a-f]{64}' "$work/hash.out" | head -n1 || true)"
				if [[ -n "$h" && -n "$content" && "$h" != "$content" ]]; then
					echo "    WARNING: bench-hash's content_sha256 ($h) is not the snapshot's ($content)"
				elif [[ -n "$h" && -n "$content" ]]; then
					echo "    bench-hash's content_sha256 is the snapshot's"
				fi
			fi
			echo "$mib hash $run $c $p $bytes 0 0" >>"$results"
			echo "    run $run hash: gzip -dc | sha256sum ${c}s, bench-hash ${p}s"
			# the floor: inflating alone, with the same library, on one core
			t0=$(now)
			timeout "$limit" "${client_pin[@]}" "$hasher" -inflate "$archive" >/dev/null
			f=$(elapsed "$t0")
			echo "$mib inflate-floor $run $f $p $bytes 0 0" >>"$results"
			echo "    run $run inflate floor: bench-hash -inflate ${f}s"
			if [[ $has_decoders == 1 ]]; then
				decoder_rows "$mib" "$archive" "$run"
				echo "    run $run decoders: $(awk -v m="$mib" -v r="$run" '$1 == m && $3 == r { printf "%s %ss  ", $2, $4 }' "$decoders")"
			fi
		fi
	done
	rm -f "$archive"
done

# ---- the table ----

echo
echo "make bench: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1), $runs run(s) per row$([[ ${#client_pin[@]} -gt 0 ]] && echo ", pinned: emulators on CPU 0, clients on CPU 1")"
echo "ratio = provider throughput / curl throughput (hash: gzip -dc|sha256sum time / bench-hash time); median (min..max)"
awk -v rate="$rate" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
function med(a, n) { sort(a, n); return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{
	key = $1 SUBSEP $2
	if (!(key in n)) { order[++keys] = key; size[key] = $1; kind[key] = $2 }
	i = ++n[key]
	c = $4 > 0 ? $4 : 0.001; p = $5 > 0 ? $5 : 0.001
	ratio[key, i] = c / p; cs[key, i] = c; ps[key, i] = p; rss[key, i] = $7 / 1024; cpu[key, i] = $8 + 0; bytes[key] = $6
}
END {
	printf "%-8s %-18s %10s %10s %10s %10s %-22s %-34s %s\n", "archive", "measure", "curl s", "tofu s", "curl MB/s", "tofu MB/s", "ratio med (min..max)", "provider peak RSS MiB med (min..max)", "provider CPU s med"
	for (k = 1; k <= keys; k++) {
		key = order[k]; m = n[key]
		lo = 1e18; hi = 0; rlo = 1e18; rhi = 0
		for (i = 1; i <= m; i++) {
			r[i] = ratio[key, i]; c2[i] = cs[key, i]; p2[i] = ps[key, i]; s2[i] = rss[key, i]; u2[i] = cpu[key, i]
			if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i]
			if (s2[i] < rlo) rlo = s2[i]; if (s2[i] > rhi) rhi = s2[i]
		}
		rm = med(r, m); cm = med(c2, m); pm = med(p2, m); sm = med(s2, m); um = med(u2, m)
		name = kind[key]
		if (name == "export-plain") name = "export"
		if (name == "export-slow") name = sprintf("export @%d MB/s", rate / 1e6)
		if (name == "hash") name = "content hash"
		if (name == "inflate-floor") name = "hash vs inflate"
		if (name == "export-s3") name = "export to S3"
		if (name == "import-saved") name = "import, saved plan"
		mb = bytes[key] / 1e6
		rs = (name == "content hash" || name == "hash vs inflate") ? "-" : sprintf("%.1f (%.1f..%.1f)", sm, rlo, rhi)
		us = (name == "content hash" || name == "hash vs inflate") ? "-" : sprintf("%.2f", um)
		printf "%-8s %-18s %10.2f %10.2f %10.1f %10.1f %-22s %-34s %s\n", size[key] " MiB", name, cm, pm, mb / cm, mb / pm, sprintf("%.2fx (%.2f..%.2f)", rm, lo, hi), rs, us
	}
}' "$results"
# per_size FILE TEXT: one line per archive size: TEXT, then the median (min..max) of FILE's seconds.
per_size() {
	awk -v text="$2" '
function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
{ if (!($1 in n)) order[++k] = $1; s[$1, ++n[$1]] = $2 }
END {
	for (i = 1; i <= k; i++) {
		m = order[i]; c = n[m]
		for (j = 1; j <= c; j++) a[j] = s[m, j]
		sort(a, c)
		printf "%-8s %s: %.2f s med (%.2f..%.2f)\n", m " MiB", text, c % 2 ? a[(c+1)/2] : (a[c/2] + a[c/2+1]) / 2, a[1], a[c]
	}
}' "$1"
}
if [[ -s "$noop" ]]; then
	echo
	per_size "$noop" "the CLI fixed cost: tofu apply of one data source (one small request)"
fi
if [[ -s "$store_cpu_file" ]]; then
	per_size "$store_cpu_file" "MinIO's own CPU time during one export to S3 (on the same machine)"
fi
decoder_table
if [[ $throttle == 0 ]]; then
	echo "note: this emulator has no -export-bytes-per-second flag: the 100 MB/s export rows were skipped"
fi
if [[ -z "$hasher" ]]; then
	echo "note: scripts/bench-hash is absent: the content hash rows were skipped"
fi
if [[ -z "$row_kind" ]]; then
	echo "note: this emulator has no FixtureTable.row_kind: its own rows (compressing $ratio:1) were used"
fi
echo "note: tofu s is the wall time of the whole tofu apply (CLI start, plan, provider start, apply)"
if [[ -n "$minio_url" ]]; then
	echo "note: export to S3: curl s is the export row's tofu apply to a local file, tofu s the same apply with"
	echo "      output_url to a local MinIO on https with full_object_checksum=true, as the guide advises for MinIO"
	echo "      (multipart: 8 MiB parts, 2 uploading + 1 filling + the first = 32 MiB); ratio above 1: S3 faster"
	echo "      MinIO runs on the same 2 CPUs (pinned: the emulators' CPU): its CPU time is in the line above the decoders"
else
	echo "note: XANO_MINIO_BINARY is unset: the export to S3 rows were skipped (make bench sets it)"
fi
if [[ -n "$hasher" ]]; then
	echo "note: content hash: curl s is gzip -dc | sha256sum, tofu s is bench-hash; hash vs inflate: curl s is"
	echo "      bench-hash -inflate (inflating alone, one core, the same library), tofu s is bench-hash"
fi
