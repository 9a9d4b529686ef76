#!/usr/bin/env bash
# make demo-s3: the provider's workflow as a CI job on an ephemeral runner runs it, on this
# machine alone (examples/demo-s3):
#
#   1. build the provider, the emulator, the pinned OpenTofu and MinIO (reused when built)
#   2. start the emulator (demo seed) and MinIO, on loopback, MinIO with random credentials
#      that exist only in this script's environment (the AWS standard chain)
#   3. create a bucket; the state goes to an s3 backend in it
#   4. apply: staging's schema and full snapshots streamed to the bucket, the schema promoted
#      into production from the bucket; plan: nothing to do
#   5. a new runner: wipe the working folder but the configuration; init, plan: nothing to do
#   6. delete the full backup's object: the plan makes that backup again; apply; plan: nothing
#   7. restore production from staging's full backup: the plan lists the branches it deletes,
#      and the backup set of production (every branch, manifest.json) lands in the bucket
#
# Every step checks what it says; the script exits non-zero otherwise. MinIO, the emulator and
# the temporary files are removed on exit. Environment: TOFU (the CLI; default
# .tools/bin/tofu), MINIO (default .tools/bin/minio), DEMO_KEEP=1 to keep the working folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tofu="${TOFU:-$root/.tools/bin/tofu}"
minio="${MINIO:-$root/.tools/bin/minio}"
provider_dir="$root/bin"
emulator="$root/bin/xano-emulator"

step_no=0
step() {
	step_no=$((step_no + 1))
	echo
	echo "=== $step_no. $*"
}
fail() {
	echo "demo-s3: FAILED at step $step_no: $*" >&2
	exit 1
}

work=""
emulator_pid=""
minio_pid=""
cleanup() {
	local rc=$?
	for pid in "$emulator_pid" "$minio_pid"; do
		if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [[ -n "$work" ]]; then
		if [[ "${DEMO_KEEP:-}" == 1 ]]; then
			echo "demo-s3: kept $work"
		else
			rm -rf "$work"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Build the provider, the emulator, OpenTofu and MinIO (only what is missing or stale)"
make_args=(--no-print-directory build emulator)
[[ "$tofu" == "$root/.tools/bin/tofu" ]] && make_args+=("$tofu")
[[ "$minio" == "$root/.tools/bin/minio" ]] && make_args+=(minio)
"${MAKE:-make}" "${make_args[@]}"
for f in "$provider_dir/terraform-provider-xano" "$emulator" "$tofu" "$minio"; do
	[[ -x "$f" ]] || fail "$f is missing"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-demo-s3.XXXXXX")"
rand() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

step "Start the emulator (demo seed: workspace 1 \"staging\", workspace 2 \"production\")"
token="demo-$(rand 12)"
"$emulator" -addr 127.0.0.1:0 -token "$token" -seed demo -control -state-dir "$work/state" \
	>"$work/emulator.log" 2>&1 &
emulator_pid=$!
url=""
for _ in $(seq 1 100); do
	url="$(sed -n 's/^instance_url: *//p' "$work/emulator.log" | head -n1 | tr -d '\r')"
	[[ -n "$url" ]] && break
	kill -0 "$emulator_pid" 2>/dev/null || break
	sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/emulator.log" >&2; fail "the emulator did not print its instance_url"; }
echo "emulator pid $emulator_pid at $url"

step "Start MinIO on loopback with random credentials"
export AWS_ACCESS_KEY_ID="demo$(rand 8)" AWS_SECRET_ACCESS_KEY="$(rand 20)" AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL
endpoint=""
for _ in $(seq 1 20); do
	port=$((20000 + RANDOM % 40000))
	(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
	MINIO_ROOT_USER="$AWS_ACCESS_KEY_ID" MINIO_ROOT_PASSWORD="$AWS_SECRET_ACCESS_KEY" \
		MINIO_BROWSER=off MINIO_UPDATE=off \
		"$minio" server --quiet --address "127.0.0.1:$port" "$work/minio" >"$work/minio.log" 2>&1 &
	minio_pid=$!
	for _ in $(seq 1 100); do
		if curl -fsS "http://127.0.0.1:$port/minio/health/ready" >/dev/null 2>&1; then
			endpoint="http://127.0.0.1:$port"
			break 2
		fi
		kill -0 "$minio_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$minio_pid" 2>/dev/null || true
	wait "$minio_pid" 2>/dev/null || true
	minio_pid=""
done
[[ -n "$endpoint" ]] || { cat "$work/minio.log" >&2; fail "MinIO did not start"; }
echo "MinIO pid $minio_pid at $endpoint (credentials only in this script's environment)"

# s3 METHOD PATH: a signed S3 request, as any S3 client makes it.
s3() {
	local args=(-sS --fail-with-body -X "$1" --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
	curl "${args[@]}" "$endpoint$2"
}
bucket="xano-demo"
step "Create the bucket $bucket"
created=""
for _ in $(seq 1 50); do # MinIO may still be initialising its drive (503)
	if s3 PUT "/$bucket" >/dev/null 2>"$work/s3.err"; then
		created=1
		break
	fi
	sleep 0.2
done
[[ -n "$created" ]] || { cat "$work/s3.err" >&2; fail "cannot create the bucket"; }
echo "bucket $bucket created (a real one would have versioning and lifecycle rules on: see the Running in CI guide)"
keys() { s3 GET "/$bucket?list-type=2" | grep -oE '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'; }

step "Point OpenTofu at the freshly built provider (dev_overrides, and a mirror for init with a backend)"
mirror="$work/mirror"
version=0.0.1
platform="$(go env GOOS)_$(go env GOARCH)"
for host in registry.opentofu.org registry.terraform.io; do
	d="$mirror/$host/xano-community/xano/$version/$platform"
	mkdir -p "$d"
	ln -s "$provider_dir/terraform-provider-xano" "$d/terraform-provider-xano_v$version"
done
cat >"$work/cli.tfrc" <<EOF2
provider_installation {
  dev_overrides {
    "registry.opentofu.org/xano-community/xano" = "$provider_dir"
    "registry.terraform.io/xano-community/xano" = "$provider_dir"
  }
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.opentofu.org/xano-community/xano", "registry.terraform.io/xano-community/xano"]
  }
  direct {
    exclude = ["registry.opentofu.org/xano-community/xano", "registry.terraform.io/xano-community/xano"]
  }
}
EOF2
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
unset TF_CLI_ARGS TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_init TF_PLUGIN_CACHE_DIR TF_WORKSPACE
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export XANO_INSTANCE_URL="$url" XANO_TOKEN="$token"
# full_object_checksum=true: MinIO takes full-object checksums, which keep the copy that puts the
# hashes on each archive a metadata update (see the object storage guide).
query="?endpoint=$endpoint&use_path_style=true&region=$AWS_REGION&full_object_checksum=true"
export TF_VAR_store="{ bucket = \"s3://$bucket\", query = \"$query\" }"

runner="$work/runner"
new_runner() {
	rm -rf "$runner"
	mkdir -p "$runner"
	cp "$root/examples/demo-s3/main.tf" "$runner/"
	cat >"$runner/backend.s3.hcl" <<EOF2
bucket                      = "$bucket"
key                         = "state/demo.tfstate"
region                      = "$AWS_REGION"
endpoints                   = { s3 = "$endpoint" }
use_path_style              = true
use_lockfile                = true
skip_credentials_validation = true
skip_region_validation      = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
EOF2
	(cd "$runner" && "$tofu" init -input=false -no-color -backend-config=backend.s3.hcl >"$work/init.log" 2>&1) ||
		{ cat "$work/init.log" >&2; fail "tofu init failed"; }
}
color=()
[[ -t 1 ]] || color=(-no-color)
plan_exit() {
	local rc=0
	(cd "$runner" && "$tofu" plan -detailed-exitcode -input=false -no-color "$@") >"$work/plan.out" 2>&1 || rc=$?
	cat "$work/plan.out" >&2
	echo "$rc"
}
plan_says() {
	grep -qF -- "$1" "$work/plan.out" || fail "the plan does not say \"$1\""
	echo "the plan says: $1"
}
apply() { (cd "$runner" && "$tofu" apply -auto-approve -input=false "${color[@]}" "$@") || fail "tofu apply failed"; }

step "tofu init (state in the bucket) and apply: snapshots streamed to the bucket, staging's schema promoted into production from it"
new_runner
apply
keys | tee "$work/keys"
for k in state/demo.tfstate releases/staging-schema.tar.gz backups/staging-full.tar.gz; do
	grep -qx "$k" "$work/keys" || fail "the bucket has no $k"
done
want="$(cd "$runner" && "$tofu" output -raw staging_full_sha256)"
got="$(s3 GET "/$bucket/backups/staging-full.tar.gz" | sha256sum | cut -d' ' -f1)"
[[ "$want" == "$got" ]] || fail "archive_sha256 in state ($want) is not the object's SHA-256 ($got)"
echo "backups/staging-full.tar.gz SHA-256 matches the state: $got"
meta="$(curl -sS --fail-with-body -I --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
	"$endpoint/$bucket/backups/staging-full.tar.gz" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-amz-meta-xano-archive-sha256" { print $2 }')"
[[ "$meta" == "$want" ]] || fail "the object's x-amz-meta-xano-archive-sha256 ($meta) is not archive_sha256 in state ($want)"
echo "and the object carries it as metadata (one HEAD request): x-amz-meta-xano-archive-sha256: $meta"
curl -fsS -H "Authorization: Bearer $token" "$url/api:meta/workspace/2" | grep -Eq '"branch": *"release_1"' ||
	fail "production's live branch is not release_1"
echo "production's live branch is release_1"
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 0"
echo "plan exit code: 0"

step "A new runner: nothing but the configuration; tofu init, tofu plan: nothing to do (exit code 0)"
new_runner
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "on a new runner, tofu plan -detailed-exitcode exited $rc, expected 0"
echo "plan exit code: 0: nothing is exported again on a new runner"

step "Delete the full backup's object in the bucket: the plan makes that backup again (exit code 2)"
s3 DELETE "/$bucket/backups/staging-full.tar.gz" >/dev/null || fail "cannot delete the object"
rc="$(plan_exit)"
[[ "$rc" == 2 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 2"
plan_says "xano_workspace_snapshot.staging_full will be created"
apply
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 0"
echo "the backup is back in the bucket; plan exit code: 0"

step "Restore production from staging's full backup: the plan lists the branches it deletes; a backup set of production goes to the bucket first"
rc="$(plan_exit -var restore=true)"
[[ "$rc" == 2 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 2"
plan_says "Apply REPLACES all content of workspace 2"
plan_says "release_1"
apply -var restore=true
keys | grep '^restores/production-before/' | tee "$work/set" || true
grep -qx 'restores/production-before/manifest.json' "$work/set" || fail "the backup set has no manifest.json"
[[ "$(grep -c '\.tar\.gz$' "$work/set")" == 2 ]] || fail "the backup set does not hold one archive per branch (release_1, v1)"
want="$(cd "$runner" && "$tofu" output -raw backup_sha256)"
got="$(s3 GET "/$bucket/restores/production-before/manifest.json" | sha256sum | cut -d' ' -f1)"
[[ "$want" == "$got" ]] || fail "backup_sha256 ($want) is not the manifest's SHA-256 ($got)"
s3 GET "/$bucket/restores/production-before/manifest.json"
echo "the backup set of production (release_1 with its records, v1's schema) is in the bucket"

echo
echo "demo-s3: all $step_no steps did what they said"
