# Promotion of staging's schema and business logic to production, where staging
# and production are two Xano instances: a schema-only snapshot of staging, imported
# into a new branch of production named after the release, and made live.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

# One provider configuration per instance. Each token only ever goes to its own
# instance: staging's needs read access, production's needs write access.
provider "xano" {
  alias        = "staging"
  instance_url = var.staging_instance_url
  token        = var.staging_token
}

provider "xano" {
  alias        = "production"
  instance_url = var.production_instance_url
  token        = var.production_token
}

locals {
  # A release label may hold "/" (release/2026-11); the file name may not.
  release_file = replace(var.release, "/", "_")
}

# The archive of the release, taken once: a new release (a new label) makes a new
# snapshot, into a new file. Previous releases' archives stay on disk.
resource "xano_workspace_snapshot" "staging" {
  provider = xano.staging

  workspace_id = var.staging_workspace_id
  branch       = var.staging_branch
  output_path  = "${path.module}/build/staging-${local.release_file}.tar.gz"

  triggers = {
    release = var.release
  }
}

resource "xano_workspace_schema_import" "release" {
  provider = xano.production

  workspace_id = var.production_workspace_id
  branch       = var.release

  # Written in the same apply: the archive is checked against its hash right
  # before the upload.
  source_path   = xano_workspace_snapshot.staging.output_path
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  set_live      = true

  # A new release label replaces this resource. Xano cannot delete the live
  # branch, so the new branch is imported and made live first, and only then is
  # the previous release's branch (no longer live) deleted.
  lifecycle {
    create_before_destroy = true
  }

  timeouts {
    create = var.import_timeout
    update = var.import_timeout
  }
}
