#!/usr/bin/env bash
# The provider's whole workflow, for real, against a local Xano emulator:
#
#   1. build the provider, the emulator and the pinned OpenTofu (reused when built)
#   2. start the emulator with its demo seed (workspace 1 staging, 2 production)
#   3. point OpenTofu at the freshly built provider (dev_overrides in a CLI config
#      of our own; ~/.terraformrc is never read or touched)
#   4. apply examples/demo: a schema-only and a full snapshot of staging, and the
#      promotion of staging's schema into a new production branch set live
#   5. plan: nothing to do
#   6. change production out of band, as a person in the Xano UI would: add a
#      function, edit an endpoint, delete a task
#   7. plan: the drift is shown, object by object (added function/hotfix,
#      changed endpoint/public/GET users, removed task/weekly_report)
#   8. apply: the drift is repaired
#   9. plan: nothing to do
#  10. staging gains a function; a new snapshot of it is written (apply -target)
#  11. plan: the promotion preview says what the re-import adds to production
#  12. apply: the promotion; plan: nothing to do
#
# Every step checks that it did what it says; the script exits non-zero
# otherwise. The emulator and the temporary files are removed on exit.
# Environment: TOFU (path to the CLI; default .tools/bin/tofu), DEMO_KEEP=1 to
# keep the working directory for a look afterwards.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tofu="${TOFU:-$root/.tools/bin/tofu}"
provider_dir="$root/bin"
emulator="$root/bin/xano-emulator"

step_no=0
step() {
	step_no=$((step_no + 1))
	echo
	echo "=== $step_no. $*"
}
fail() {
	echo "demo: FAILED at step $step_no: $*" >&2
	exit 1
}

work=""
emulator_pid=""
cleanup() {
	local rc=$?
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	if [[ -n "$work" ]]; then
		if [[ "${DEMO_KEEP:-}" == 1 ]]; then
			echo "demo: kept $work"
		else
			rm -rf "$work"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Build the provider, the emulator and OpenTofu (only what is missing or stale)"
make_args=(--no-print-directory build emulator)
# The pinned OpenTofu is built when it is the CLI used, whether TOFU names it
# (as make demo exports it) or is unset; a TOFU of your own is used as it is.
if [[ "$tofu" == "$root/.tools/bin/tofu" ]]; then
	make_args+=("$tofu")
fi
"${MAKE:-make}" "${make_args[@]}"
[[ -x "$provider_dir/terraform-provider-xano" ]] || fail "bin/terraform-provider-xano was not built"
[[ -x "$emulator" ]] || fail "bin/xano-emulator was not built"
[[ -x "$tofu" ]] || fail "$tofu is missing"

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-demo.XXXXXX")"

step "Start the emulator (demo seed: workspace 1 \"staging\", workspace 2 \"production\")"
token="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
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
if [[ -z "$url" ]]; then
	cat "$work/emulator.log" >&2
	fail "the emulator did not print its instance_url"
fi
echo "emulator pid $emulator_pid at $url"

# api METHOD PATH [JSON BODY]: a Metadata API call, as a script or a person with curl would make it.
api() {
	local args=(-sS --fail-with-body -X "$1" -H "Authorization: Bearer $token")
	if [[ $# -ge 3 ]]; then
		args+=(-H "Content-Type: application/json" --data "$3")
	fi
	curl "${args[@]}" "$url/api:meta$2"
}
api GET /workspace >/dev/null || fail "the emulator does not answer GET /api:meta/workspace"

step "Point OpenTofu at the freshly built provider"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.opentofu.org/xano-community/xano" = "$provider_dir"
    "registry.terraform.io/xano-community/xano" = "$provider_dir"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
unset TF_CLI_ARGS TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_init TF_PLUGIN_CACHE_DIR TF_WORKSPACE
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export XANO_INSTANCE_URL="$url" XANO_TOKEN="$token"
cp -R "$root/examples/demo" "$work/demo"
rm -rf "$work/demo/.terraform" "$work/demo/backups" "$work/demo"/terraform.tfstate*
mkdir -p "$work/demo/backups"
cd "$work/demo"
"$tofu" version
echo "CLI config: $TF_CLI_CONFIG_FILE"
cat "$TF_CLI_CONFIG_FILE"
echo "working directory: $work/demo"

# Colours only on a terminal: CI logs stay readable.
color=()
[[ -t 1 ]] || color=(-no-color)

# plan_exit: runs `tofu plan -detailed-exitcode` and prints its exit code last;
# the plan's output is also kept in $work/plan.out, for the steps to check.
plan_exit() {
	local rc=0
	"$tofu" plan -detailed-exitcode -input=false -no-color >"$work/plan.out" 2>&1 || rc=$?
	cat "$work/plan.out" >&2
	echo "$rc"
}

# plan_says TEXT: the last plan's output holds TEXT.
plan_says() {
	grep -qF -- "$1" "$work/plan.out" || fail "the plan does not say \"$1\""
	echo "the plan says: $1"
}

step "tofu apply: snapshot staging (schema only, and full), promote its schema into production branch release_1, set it live"
"$tofu" apply -auto-approve -input=false "${color[@]}" || fail "tofu apply failed"
for f in staging-schema.tar.gz staging-full.tar.gz; do
	[[ -s "backups/$f" ]] || fail "backups/$f was not written"
done
ls -l backups/
want="$("$tofu" output -raw staging_schema_sha256)"
got="$(sha256sum backups/staging-schema.tar.gz | cut -d' ' -f1)"
[[ "$want" == "$got" ]] || fail "archive_sha256 in state ($want) is not the file's SHA-256 ($got)"
echo "staging-schema.tar.gz SHA-256 matches the state: $got"
want="$("$tofu" output -raw staging_full_sha256)"
got="$(sha256sum backups/staging-full.tar.gz | cut -d' ' -f1)"
[[ "$want" == "$got" ]] || fail "archive_sha256 in state ($want) is not the file's SHA-256 ($got)"
echo "staging-full.tar.gz SHA-256 matches the state: $got"
ws2="$(api GET /workspace/2)" || fail "GET /workspace/2 failed"
grep -Eq '"branch": *"release_1"' <<<"$ws2" || fail "production's live branch is not release_1: $ws2"
echo "production's live branch is release_1"

step "tofu plan: nothing to change (exit code 0)"
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 0"
echo "plan exit code: 0"

# api_id PATH NAME: the route id of the object called NAME in the paged list at PATH.
api_id() {
	api GET "$1?search=$2" | grep -oE '"id":[0-9]+,([^{}]*,)?"name":"'"$2"'"' | head -n1 | sed 's/^"id":\([0-9]*\).*/\1/'
}

step "Change production out of band, as people do in the Xano UI: add function \"hotfix\", edit endpoint GET users of API group public, delete task weekly_report"
api POST /workspace/2/function \
	'{"name":"hotfix","body":"// hotfix made in the UI\nreturn \"patched\"\n","branch":""}' >/dev/null ||
	fail "POST /workspace/2/function failed"
api GET /workspace/2/function | grep -q '"name": *"hotfix"' || fail "the hotfix function is not on production's live branch"
echo "function hotfix now exists on production's live branch"
group="$(api_id /workspace/2/apigroup public)"
[[ -n "$group" ]] || fail "API group public is not on production's live branch"
endpoint="$(api_id "/workspace/2/apigroup/$group/api" users)"
[[ -n "$endpoint" ]] || fail "endpoint GET users is not in API group public"
api PUT "/workspace/2/apigroup/$group/api/$endpoint" '{"description":"lists the users, 50 a page"}' >/dev/null ||
	fail "PUT /workspace/2/apigroup/$group/api/$endpoint failed"
echo "endpoint GET users of API group public has a new description"
task="$(api_id /workspace/2/task weekly_report)"
[[ -n "$task" ]] || fail "task weekly_report is not on production's live branch"
api DELETE "/workspace/2/task/$task" >/dev/null || fail "DELETE /workspace/2/task/$task failed"
echo "task weekly_report is deleted"

step "tofu plan: the drift is shown (exit code 2)"
rc="$(plan_exit)"
[[ "$rc" == 2 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 2 (drift)"
echo "plan exit code: 2 (drift detected)"
plan_says "added function/hotfix"
plan_says "changed endpoint/public/GET users"
plan_says "removed task/weekly_report"
plan_says 'Objects have changed outside of OpenTofu'
plan_says '"function/hotfix"'

step "tofu apply: repair the drift"
"$tofu" apply -auto-approve -input=false "${color[@]}" || fail "tofu apply failed"
if api GET /workspace/2/function | grep -q '"name": *"hotfix"'; then
	fail "the hotfix function is still on production's live branch after the repair"
fi
[[ -n "$(api_id /workspace/2/task weekly_report)" ]] || fail "task weekly_report was not restored"
echo "production's live branch matches staging's schema again (no hotfix function, task weekly_report back)"

step "tofu plan: nothing to change (exit code 0)"
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 0"
echo "plan exit code: 0"

step "Change staging: a person adds function \"promo_feature\" to its live branch; write a new snapshot of it"
api POST /workspace/1/function \
	'{"name":"promo_feature","body":"// the next release\nreturn \"new\"\n","branch":""}' >/dev/null ||
	fail "POST /workspace/1/function failed"
# The archive is written first, alone, so that the plan of the promotion can read it: a plan
# cannot preview an archive that is only written during its apply.
"$tofu" apply -auto-approve -input=false "${color[@]}" \
	-replace=xano_workspace_snapshot.staging_schema -target=xano_workspace_snapshot.staging_schema ||
	fail "tofu apply -target=xano_workspace_snapshot.staging_schema failed"

step "tofu plan: the promotion preview says what the import changes in production's live branch (exit code 2)"
rc="$(plan_exit)"
[[ "$rc" == 2 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 2 (a new archive)"
plan_says "Promotion preview of branch \"release_1\" of workspace 2"
plan_says "added function/promo_feature"

step "tofu apply: promote; then tofu plan: nothing to change (exit code 0)"
"$tofu" apply -auto-approve -input=false "${color[@]}" || fail "tofu apply failed"
api GET /workspace/2/function | grep -q '"name": *"promo_feature"' || fail "promo_feature is not on production's live branch"
echo "function promo_feature is now on production's live branch"
rc="$(plan_exit)"
[[ "$rc" == 0 ]] || fail "tofu plan -detailed-exitcode exited $rc, expected 0"
echo "plan exit code: 0"

echo
echo "demo: all $step_no steps did what they said"
