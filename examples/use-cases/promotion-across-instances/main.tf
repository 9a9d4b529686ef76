# Promotion of staging's schema and business logic to production, where staging
# and production are two Xano instances: a schema-only snapshot of staging, kept in a
# bucket (store_url), imported into a new branch of production named after the
# release, and made live. With the state in an s3 backend (backend.tf), a CI runner
# that starts from a clean checkout plans nothing: the reviewed archive is still in
# the bucket, so staging is not exported again.

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

  # store_url is a bucket URL with a key prefix and the store's query parameters, e.g.
  # s3://my-releases/xano?region=eu-west-1; the archive's URL is the prefix, its key, the query.
  to_bucket   = var.store_url != null && var.store_url != ""
  store_parts = local.to_bucket ? split("?", var.store_url) : [""]
  store_query = length(local.store_parts) > 1 ? "?${join("?", slice(local.store_parts, 1, length(local.store_parts)))}" : ""
  archive_url = "${trimsuffix(local.store_parts[0], "/")}/releases/staging-${local.release_file}.tar.gz${local.store_query}"
}

# The archive of the release, taken once: a new release (a new label) makes a new
# snapshot, into a new object. Previous releases' archives stay in the bucket.
resource "xano_workspace_snapshot" "staging" {
  provider = xano.staging

  workspace_id = var.staging_workspace_id
  branch       = var.staging_branch
  output_url   = local.to_bucket ? local.archive_url : null
  output_path  = local.to_bucket ? null : "${path.module}/build/staging-${local.release_file}.tar.gz"

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
  source_url    = xano_workspace_snapshot.staging.output_url
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
