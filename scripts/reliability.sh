#!/usr/bin/env bash
# make reliability / make reliability-short: runs TestReliability (internal/provider/
# reliability_test.go) through the real OpenTofu and the provider binary, then prints the
# counts of cases tried, survived, failed with a clear error, failed, and pending (a check whose
# provider feature has not landed), per category. See RELIABILITY.md.
#
# Environment:
#   XANO_RELIABILITY  short (one fault per route: the form make test runs) or full (default)
#   TOFU              the CLI (default .tools/bin/tofu)
#   REL_PARALLEL      cases run at once (default 4)
#   REL_TIMEOUT       go test -timeout (default 20m)
#   REL_RECORD=1      also write the counts, the machine and the command into RELIABILITY.md
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="${XANO_RELIABILITY:-full}"
tofu="${TOFU:-$root/.tools/bin/tofu}"
parallel="${REL_PARALLEL:-4}"
timeout="${REL_TIMEOUT:-20m}"
provider="$root/bin/terraform-provider-xano"

[[ -x "$tofu" ]] || { echo "reliability: $tofu is missing; run make tools (or set TOFU)" >&2; exit 1; }
[[ -x "$provider" ]] || { echo "reliability: $provider is missing; run make build" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-reliability.XXXXXX")"
trap 'rm -rf "$work"' EXIT
report="$work/report.jsonl"
: >"$report"

# The CLI's own settings must not change what it does (the test also strips TF_* from the
# environment it gives the CLI).
unset TF_ACC TF_LOG TF_LOG_PATH TF_CLI_CONFIG_FILE TF_PLUGIN_CACHE_DIR
start=$(date +%s)
rc=0
XANO_RELIABILITY="$mode" XANO_RELIABILITY_CLI="$tofu" XANO_PROVIDER_BINARY="$provider" \
	XANO_RELIABILITY_REPORT="$report" \
	go test -count=1 -v -timeout "$timeout" -parallel "$parallel" -run '^TestReliability$' ./internal/provider/ \
	>"$work/go-test.log" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
grep -E '^ *--- FAIL|^(FAIL|ok|panic)' "$work/go-test.log" || true

# The report has one JSON object per case; field() takes a string field out of it.
summary="$(awk '
function field(name,   re, s) {
	re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
	if (!match($0, re)) return ""
	s = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
	return s
}
{
	c = field("category"); o = field("outcome")
	if (!(c in tried)) order[++n] = c
	tried[c]++; count[c, o]++; total[o]++; all++
}
END {
	printf "| category | tried | survived | clear error | failed | pending |\n"
	printf "|---|---:|---:|---:|---:|---:|\n"
	for (i = 1; i <= n; i++) {
		c = order[i]
		printf "| %s | %d | %d | %d | %d | %d |\n", c, tried[c], count[c, "survived"], count[c, "clear error"], count[c, "failed"], count[c, "pending"]
	}
	printf "| **all** | **%d** | **%d** | **%d** | **%d** | **%d** |\n", all, total["survived"], total["clear error"], total["failed"], total["pending"]
}' "$report")"
cases="$(awk '
function field(name,   re) {
	re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
	if (!match($0, re)) return ""
	return substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
}
{ printf "| %s | %s | %s | %s |\n", field("category"), field("case"), field("outcome"), field("detail") }' "$report" | sort)"

echo
echo "reliability ($mode) in ${secs}s, $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1):"
echo "$summary"
if [[ "${REL_VERBOSE:-}" == 1 || $rc -ne 0 ]]; then
	echo
	echo "| category | case | outcome | detail |"
	echo "|---|---|---|---|"
	echo "$cases"
fi

if [[ "${REL_RECORD:-}" == 1 ]]; then
	doc="$root/RELIABILITY.md"
	block="$work/block.md"
	{
		echo "<!-- reliability-run:begin (written by scripts/reliability.sh with REL_RECORD=1) -->"
		echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)),"
		echo "commit $(git describe --always --dirty 2>/dev/null || echo unknown), $("$tofu" version 2>/dev/null | head -n1):"
		echo "\`XANO_RELIABILITY=$mode REL_RECORD=1 scripts/reliability.sh\` (${secs}s, go test exit $rc)."
		echo
		echo "$summary"
		echo
		echo "<details><summary>Every case</summary>"
		echo
		echo "| category | case | outcome | detail |"
		echo "|---|---|---|---|"
		echo "$cases"
		echo
		echo "</details>"
		echo "<!-- reliability-run:end -->"
	} >"$block"
	if [[ -f "$doc" ]] && grep -q 'reliability-run:begin' "$doc"; then
		awk -v blockfile="$block" '
			/reliability-run:begin/ { while ((getline line < blockfile) > 0) print line; skip = 1; next }
			/reliability-run:end/ { skip = 0; next }
			!skip { print }' "$doc" >"$work/doc.md"
		cp "$work/doc.md" "$doc"
	else
		cat "$block" >>"$doc"
	fi
	echo "reliability: recorded in RELIABILITY.md"
fi

if [[ $rc -ne 0 ]]; then
	echo "reliability: FAILED (go test exit $rc); the log:" >&2
	tail -n 200 "$work/go-test.log" >&2
	exit 1
fi
