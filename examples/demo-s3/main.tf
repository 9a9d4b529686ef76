# The demo that `make demo-s3` applies to a local Xano emulator and a local MinIO
# (see README.md): the workflow of `make demo` (a backup of staging, the promotion
# of its schema into production), with the state in an s3 backend and every archive
# in the same store, then a restore whose backup set goes to the bucket too.
# Workspace 1 is "staging", workspace 2 is "production". The provider reads
# XANO_INSTANCE_URL and XANO_TOKEN, the bucket's credentials come from the AWS
# standard chain (the script exports AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).

terraform {
  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
  # Settings from -backend-config at init (the script writes backend.s3.hcl).
  backend "s3" {}
}

provider "xano" {}

variable "store" {
  description = "The bucket's URL without key, and the query of the store, e.g. { bucket = \"s3://xano-demo\", query = \"?endpoint=...\" }."
  type = object({
    bucket = string
    query  = string
  })
}

variable "restore" {
  description = "Restore production from staging's full backup (with a backup set of production first)."
  type        = bool
  default     = false
}

# A schema-only snapshot of staging: what gets promoted.
resource "xano_workspace_snapshot" "staging_schema" {
  workspace_id = 1
  output_url   = "${var.store.bucket}/releases/staging-schema.tar.gz${var.store.query}"
}

# A full snapshot of staging (schema and table data): the backup.
resource "xano_workspace_snapshot" "staging_full" {
  workspace_id = 1
  include_data = true
  output_url   = "${var.store.bucket}/backups/staging-full.tar.gz${var.store.query}"
}

# Staging's schema imported into a new production branch, read from the bucket.
resource "xano_workspace_schema_import" "production" {
  workspace_id  = 2
  branch        = "release_1"
  source_url    = xano_workspace_snapshot.staging_schema.output_url
  source_sha256 = xano_workspace_snapshot.staging_schema.archive_sha256
  set_live      = true
}

# On demand (-var restore=true): production restored from staging's full backup. Every
# branch production has is backed up under restores/ first, with a manifest.
resource "xano_workspace_import" "production" {
  count = var.restore ? 1 : 0

  workspace_id    = 2
  allow_data_loss = true # a restore loses data: the plan lists what in changes.destructive
  source_url      = xano_workspace_snapshot.staging_full.output_url
  source_sha256   = xano_workspace_snapshot.staging_full.archive_sha256
  backup_url      = "${var.store.bucket}/restores/production-before${var.store.query}"
}

output "staging_schema_url" {
  value = xano_workspace_snapshot.staging_schema.output_url
}

output "staging_full_sha256" {
  value = xano_workspace_snapshot.staging_full.archive_sha256
}

output "branches_deleted" {
  value = one(xano_workspace_import.production[*].branches_deleted)
}

output "backup_sha256" {
  value = one(xano_workspace_import.production[*].backup_sha256)
}
