# Production's live branch, managed from an archive kept in the repository, so
# that `plan -detailed-exitcode` in CI reports any change made to it outside of
# Terraform: the branch deleted, another branch made live, or its logic edited
# in the Xano UI. See check.sh and README.md.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }

  # A drift check compares Xano with the state of the last apply, so the state
  # must be shared between the deploy job and the check job: configure a remote
  # backend here (s3, gcs, azurerm, http, ...).
}

# The instance URL and the token come from XANO_INSTANCE_URL and XANO_TOKEN.
# `plan` only needs read access; `apply` needs write access.
provider "xano" {}

locals {
  archive_path = coalesce(var.archive_path, "${path.module}/archives/production-schema.tar.gz")
}

# The branch the archive is imported into. On every plan the provider exports the
# branch's schema in memory and compares its content hash with the one recorded
# after the import: an edit is drift, planned as an in-place re-import.
resource "xano_workspace_schema_import" "production" {
  workspace_id  = var.workspace_id
  branch        = var.branch
  source_path   = local.archive_path
  source_sha256 = filesha256(local.archive_path)

  # A new label replaces the branch: import and make the new one live before the
  # old one, which Xano cannot delete while it is live, is deleted.
  lifecycle {
    create_before_destroy = true
  }
}

# Which branch is live. When another branch is made live (in the Xano UI, for
# instance), the plan shows an update that makes this one live again.
resource "xano_workspace_live_branch" "production" {
  workspace_id = xano_workspace_schema_import.production.workspace_id
  branch       = xano_workspace_schema_import.production.branch
}
