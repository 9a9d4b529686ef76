#!/usr/bin/env bash
# Generates docs/ from the provider's schema and examples/, offline.
#
# tfplugindocs would otherwise build the provider and look for a terraform on
# PATH (or download one). Instead this script builds the provider itself,
# installs it into a temporary plugin directory under the address
# registry.terraform.io/hashicorp/xano (one of the two keys tfplugindocs looks
# up), has the pinned OpenTofu read its schema, and hands tfplugindocs that
# schema file. One pinned CLI keeps the generated docs from churning. OpenTofu
# (1.12) rather than Terraform 1.5.7: its schema JSON has the resources'
# identity schemas, without which tfplugindocs refuses the import-by-identity
# examples, and marks write-only attributes.
#
# Usage: scripts/generate-docs.sh           regenerate docs/ and format examples/
#        scripts/generate-docs.sh --check   also fail when docs/ or examples/ change,
#                                           and run tfplugindocs validate
# Environment: TOFU, TFPLUGINDOCS (paths; default .tools/bin/...).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

check=false
case "${1:-}" in
"") ;;
--check) check=true ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

tofu="${TOFU:-$root/.tools/bin/tofu}"
tfplugindocs="${TFPLUGINDOCS:-$root/.tools/bin/tfplugindocs}"
for tool in "$tofu" "$tfplugindocs"; do
	if [[ ! -x "$tool" ]]; then
		echo "generate-docs: $tool is missing; run 'make tools' first" >&2
		exit 1
	fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xano-docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Our own (empty) CLI configuration: never the user's, never a missing file.
: >"$work/cli.tfrc"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_providers TF_CLI_ARGS_fmt
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

echo "==> building the provider and reading its schema with $("$tofu" version | head -n1)"
platform="$(go env GOOS)_$(go env GOARCH)"
plugin_dir="$work/plugins/registry.terraform.io/hashicorp/xano/0.0.1/$platform"
mkdir -p "$plugin_dir" "$work/config"
go build -o "$plugin_dir/terraform-provider-xano_v0.0.1" .
cat >"$work/config/main.tf" <<'EOF'
terraform {
  required_providers {
    xano = {
      source = "registry.terraform.io/hashicorp/xano"
    }
  }
}
EOF
if ! "$tofu" -chdir="$work/config" init -backend=false -get=false -input=false \
	-plugin-dir="$work/plugins" >"$work/init.log" 2>&1; then
	cat "$work/init.log" >&2
	echo "generate-docs: tofu init failed" >&2
	exit 1
fi
schema="$work/schema.json"
"$tofu" -chdir="$work/config" providers schema -json >"$schema"
if ! grep -q '"registry.terraform.io/hashicorp/xano"' "$schema"; then
	echo "generate-docs: the schema has no registry.terraform.io/hashicorp/xano key" >&2
	exit 1
fi

echo "==> formatting examples/"
"$tofu" fmt -recursive examples/

echo "==> generating docs/ with tfplugindocs ${TFPLUGINDOCS_VERSION:-(version not given)}"
"$tfplugindocs" generate --provider-dir "$root" --provider-name xano \
	--rendered-provider-name Xano --providers-schema "$schema"

if ! $check; then
	exit 0
fi

echo "==> validating docs/"
"$tfplugindocs" validate --provider-dir "$root" --provider-name xano --providers-schema "$schema"

echo "==> checking that docs/ and examples/ are up to date"
changes="$(git status --porcelain --untracked-files=all -- docs examples)"
if [[ -n "$changes" ]]; then
	echo "$changes"
	git --no-pager diff -- docs examples
	echo "docs-check: docs/ or examples/ are out of date: run 'make generate' and commit the result" >&2
	exit 1
fi
echo "docs-check: docs/ and examples/ are up to date"
