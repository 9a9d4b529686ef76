#!/usr/bin/env bash
# Runs the acceptance tests (TF_ACC=1 ./internal/provider/) once per CLI:
#   1. OpenTofu, the pinned build in .tools/bin/tofu
#   2. Terraform 1.5.7, the pinned build in .tools/bin/terraform
#   3. a terraform found on PATH, when there is one and it is another file
# Every test starts its own emulator on loopback, so nothing leaves the machine.
#
# Usage: scripts/testacc.sh [go test arguments...]   (e.g. -run TestAccSnapshot -v)
# Environment: TOFU, TERRAFORM (CLI paths), ACC_PARALLEL (default 4),
#              ACC_TIMEOUT (default 30m), ACC_SKIP_PATH_TERRAFORM=1.
# The race detector is off here (the CLIs dominate and it would slow every
# test several times); the unit tests run with -race. Pass -race to add it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tofu="${TOFU:-$root/.tools/bin/tofu}"
terraform="${TERRAFORM:-$root/.tools/bin/terraform}"
parallel="${ACC_PARALLEL:-4}"
timeout="${ACC_TIMEOUT:-30m}"

for cli in "$tofu" "$terraform"; do
	if [[ ! -x "$cli" ]]; then
		echo "testacc: $cli is missing; run 'make tools' first" >&2
		exit 1
	fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-testacc.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A CLI configuration of our own. A TF_CLI_CONFIG_FILE naming a missing file
# makes the CLIs print a warning before their version line, which the test
# harness then fails to parse; a user's real config could also redirect
# provider installation. An empty file avoids both.
: >"$work/cli.tfrc"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
unset TF_CLI_CONFIG_PATH TERRAFORM_CONFIG TF_PLUGIN_CACHE_DIR
# TF_CLI_ARGS and TF_CLI_ARGS_<command> would change every command the harness runs.
while IFS= read -r name; do
	unset "$name"
done < <(compgen -e | grep -E '^TF_CLI_ARGS' || true)
# Never let the harness download a CLI, and keep the CLIs quiet and offline.
unset TF_ACC_TERRAFORM_VERSION
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export TF_ACC_TEMP_DIR="$work"

# name|path|provider host (empty: the harness default, registry.terraform.io)
clis=("OpenTofu (pinned)|$tofu|registry.opentofu.org"
	"Terraform (pinned)|$terraform|")
path_tf="$(command -v terraform || true)"
if [[ -n "$path_tf" && "${ACC_SKIP_PATH_TERRAFORM:-}" != 1 ]]; then
	if [[ "$path_tf" -ef "$terraform" ]]; then
		echo "testacc: terraform on PATH ($path_tf) is the pinned build; not run twice"
	else
		clis+=("Terraform on PATH|$path_tf|")
	fi
fi

results=()
failures=0
total_pass=0 total_fail=0 total_skip=0
for entry in "${clis[@]}"; do
	IFS='|' read -r name cli host <<<"$entry"
	echo
	echo "================================================================"
	echo "== acceptance tests: $name"
	echo "== $cli"
	if ! version="$("$cli" version 2>&1)"; then
		echo "$version"
		echo "== $name: '$cli version' failed" >&2
		results+=("$(printf '%-20s FAILED  (the CLI does not run)' "$name")")
		failures=$((failures + 1)) total_fail=$((total_fail + 1))
		continue
	fi
	sed 's/^/== /' <<<"$version"
	echo "================================================================"

	env_args=(TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli")
	if [[ -n "$host" ]]; then
		# OpenTofu refuses the harness's default "-" namespace outside its own registry.
		env_args+=(TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST="$host")
	else
		unset TF_ACC_PROVIDER_NAMESPACE TF_ACC_PROVIDER_HOST
	fi

	log="$work/go-test-$((${#results[@]} + 1)).log"
	start=$(date +%s)
	rc=0
	env "${env_args[@]}" go test -count=1 -v -timeout "$timeout" -parallel "$parallel" \
		./internal/provider/ "$@" 2>&1 | tee "$log" || rc=$?
	secs=$(($(date +%s) - start))

	pass=$(grep -cE '^--- PASS' "$log" || true)
	fail=$(grep -cE '^--- FAIL' "$log" || true)
	skip=$(grep -cE '^--- SKIP' "$log" || true)
	if [[ $rc -ne 0 && $fail -eq 0 ]]; then
		fail=1 # a build failure, a panic or a timeout: no test line says so
	fi
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
	first_line="$(head -n1 <<<"$version")"
	if [[ $rc -eq 0 && $((pass + skip)) -eq 0 ]]; then
		# A -run that matches nothing, or a package without acceptance tests.
		status="NO TESTS"
	elif [[ $rc -eq 0 ]]; then
		status="ok"
	else
		status="FAILED"
		failures=$((failures + 1))
	fi
	results+=("$(printf '%-20s %-8s %3d passed, %3d failed, %3d skipped in %4ds  (%s)' \
		"$name" "$status" "$pass" "$fail" "$skip" "$secs" "$first_line")")
done

echo
echo "acceptance test summary:"
for line in "${results[@]}"; do
	echo "  $line"
done
echo "testacc: $total_pass passed, $total_fail failed, $total_skip skipped"
if [[ $failures -gt 0 ]]; then
	echo "testacc: FAILED on $failures of ${#clis[@]} CLIs" >&2
	exit 1
fi
