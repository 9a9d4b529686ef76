# A promotion that stops itself when it would remove an endpoint: before the
# archive to promote is imported into production's live branch, the plan
# compares it with what production serves now, and fails when an endpoint that
# is live today is missing from the new archive. See README.md.

terraform {
  # provider::xano::archive_diff is a provider function: Terraform 1.8 or
  # OpenTofu 1.7 and later.
  required_version = ">= 1.8.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

# The instance URL and the token come from XANO_INSTANCE_URL and XANO_TOKEN.
provider "xano" {}

locals {
  candidate = coalesce(var.candidate_archive, "${path.module}/archives/candidate.tar.gz")
}

# What production serves now: an export-schema of its live branch, written at
# every plan (a data source is read by every plan: one export per plan).
data "xano_workspace_export" "live" {
  workspace_id = var.workspace_id
  output_path  = "${path.module}/build/live.tar.gz"
}

locals {
  # Which objects the candidate adds, changes and removes relative to the live
  # branch. The path comes from the data source, so the function runs once the
  # export is written.
  promotion         = provider::xano::archive_diff(data.xano_workspace_export.live.output_path, local.candidate)
  removed_endpoints = [for k in local.promotion.removed : k if startswith(k, "endpoint/")]
  removed_tasks     = [for k in local.promotion.removed : k if startswith(k, "task/")]
}

# The promotion: the candidate imported into the release branch, made live.
resource "xano_workspace_schema_import" "release" {
  workspace_id  = var.workspace_id
  branch        = var.release
  source_path   = local.candidate
  source_sha256 = filesha256(local.candidate)
  set_live      = true

  lifecycle {
    # A new release label imports and makes the new branch live before the
    # old one, which Xano cannot delete while it is live, is deleted.
    create_before_destroy = true

    # The guard: an endpoint that clients call today must not disappear
    # unnoticed. Fails the plan (and so the pipeline) with the list.
    precondition {
      condition     = var.allow_endpoint_removal || length(local.removed_endpoints) == 0
      error_message = "This promotion removes endpoints that production serves now: ${join(", ", local.removed_endpoints)}. If that is intended, run again with -var allow_endpoint_removal=true."
    }
  }
}

# What this promotion changed, recorded when it was planned. The diff is
# computed against what production serves *now*, so after the promotion it is
# empty; keeping the plan-time value here (replaced only when the candidate
# changes) lets the outputs tell what the last promotion did while the plan
# after an apply stays empty.
resource "terraform_data" "promotion" {
  input            = local.promotion
  triggers_replace = [filesha256(local.candidate)]

  lifecycle {
    ignore_changes = [input]
  }
}

# A softer rule: a removed task is reported as a warning, but does not stop
# the promotion.
check "no_task_removed" {
  assert {
    condition     = length(local.removed_tasks) == 0
    error_message = "This promotion removes scheduled tasks: ${join(", ", local.removed_tasks)}."
  }
}
