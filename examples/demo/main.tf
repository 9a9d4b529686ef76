# The demo that `make demo` applies to a local Xano emulator (see README.md).
# Workspace 1 is "staging", workspace 2 is "production". The provider reads
# XANO_INSTANCE_URL and XANO_TOKEN from the environment.

terraform {
  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

provider "xano" {}

# A schema-only snapshot of staging: what gets promoted.
resource "xano_workspace_snapshot" "staging_schema" {
  workspace_id = 1
  output_path  = "${path.module}/backups/staging-schema.tar.gz"
}

# A full snapshot of staging (schema and table data): the backup.
resource "xano_workspace_snapshot" "staging_full" {
  workspace_id = 1
  include_data = true
  output_path  = "${path.module}/backups/staging-full.tar.gz"
}

# Staging's schema imported into a new production branch, which is then set
# live. A later change to that branch made outside Terraform shows as drift.
resource "xano_workspace_schema_import" "production" {
  workspace_id  = 2
  branch        = "release_1"
  source_path   = xano_workspace_snapshot.staging_schema.output_path
  source_sha256 = xano_workspace_snapshot.staging_schema.archive_sha256
  set_live      = true
}

output "staging_schema_sha256" {
  description = "SHA-256 of the schema-only snapshot archive."
  value       = xano_workspace_snapshot.staging_schema.archive_sha256
}

output "staging_full_sha256" {
  description = "SHA-256 of the full snapshot archive."
  value       = xano_workspace_snapshot.staging_full.archive_sha256
}

output "staging_exported_branch" {
  description = "The staging branch the snapshots were taken from."
  value       = xano_workspace_snapshot.staging_schema.exported_branch
}

output "production_branch" {
  description = "The production branch the schema was imported into."
  value       = xano_workspace_schema_import.production.branch
}

# What production's branch holds, object by object (function/..., endpoint/..., task/...).
# Referencing objects also makes the plan list, under "Objects have changed outside of
# OpenTofu", which objects a refresh found added, changed or removed.
output "production_objects" {
  description = "The keys of the objects of production's branch, as last observed."
  value       = sort(keys(xano_workspace_schema_import.production.objects))
}
