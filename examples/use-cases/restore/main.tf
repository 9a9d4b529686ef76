# A full restore of a workspace from an archive, or from a backup set: its
# tables, their records and all its branches are replaced. A backup set of the
# workspace (its live branch with its records, every other branch's schema, a
# manifest) is written first; nothing is imported unless that set is complete.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

# The instance URL and the token come from XANO_INSTANCE_URL and XANO_TOKEN.
# A restore needs a token with write access to the workspace.
provider "xano" {}

data "xano_workspace" "target" {
  workspace_id = var.workspace_id
}

locals {
  # Exactly one source: a full export (archive_path), or a backup set (backup_set), such as the
  # one an earlier restore wrote before overwriting the workspace.
  from_set     = var.backup_set != null && var.backup_set != ""
  from_archive = var.archive_path != null && var.archive_path != ""
  from_object  = var.archive_url != null && var.archive_url != ""

  # A backup set is restored as its manifest says: the full archive (the live branch with its
  # records) with xano_workspace_import, then every other branch's schema archive with
  # xano_workspace_schema_import.
  set      = local.from_set ? jsondecode(file("${var.backup_set}/manifest.json")) : null
  full     = local.from_set ? one([for f in local.set.files : f if f.kind == "full"]) : null
  branches = local.from_set ? { for f in local.set.files : f.branch => f if f.kind == "schema" } : {}

  source_path   = local.from_set ? "${var.backup_set}/${local.full.file}" : (local.from_archive ? var.archive_path : null)
  source_url    = local.from_object ? var.archive_url : null
  source_sha256 = local.from_set ? local.full.archive_sha256 : (local.from_archive ? filesha256(var.archive_path) : coalesce(var.archive_sha256, "missing"))
  backup_dir    = coalesce(var.backup_dir, "${path.module}/backups")

  # One backup set per restore: restoring another archive later writes a new set next to this
  # one instead of replacing it. With store_url (a bucket URL with a key prefix and the store's
  # query, e.g. s3://my-backups/xano?region=eu-west-1), the set goes under
  # <prefix>/restores/<name> in the bucket instead.
  backup_name = "workspace-${var.workspace_id}-before-${substr(local.source_sha256, 0, 12)}"
  to_bucket   = var.store_url != null && var.store_url != ""
  store_parts = local.to_bucket ? split("?", var.store_url) : [""]
  store_query = length(local.store_parts) > 1 ? "?${join("?", slice(local.store_parts, 1, length(local.store_parts)))}" : ""
  backup_path = local.to_bucket ? null : "${local.backup_dir}/${local.backup_name}"
  backup_url  = local.to_bucket ? "${trimsuffix(local.store_parts[0], "/")}/restores/${local.backup_name}${local.store_query}" : null
}

resource "xano_workspace_import" "restore" {
  workspace_id    = data.xano_workspace.target.workspace_id
  allow_data_loss = true
  source_path     = local.source_path
  source_url      = local.source_url
  source_sha256   = local.source_sha256
  backup_path     = local.backup_path
  backup_url      = local.backup_url

  lifecycle {
    precondition {
      condition     = (local.from_set ? 1 : 0) + (local.from_archive ? 1 : 0) + (local.from_object ? 1 : 0) == 1 && (!local.from_object || var.archive_sha256 != null)
      error_message = "Set exactly one of archive_path (a full export), archive_url (with archive_sha256) and backup_set (the folder of a backup set). Nothing was restored."
    }
    # A guard against a wrong workspace_id: the restore is destructive.
    precondition {
      condition     = data.xano_workspace.target.name == var.confirm_workspace_name
      error_message = "Workspace ${var.workspace_id} is named \"${data.xano_workspace.target.name}\", not \"${var.confirm_workspace_name}\": check workspace_id and confirm_workspace_name. Nothing was restored."
    }
  }

  timeouts {
    create = var.restore_timeout
    update = var.restore_timeout
  }
}

# The other branches of a backup set, each imported into a branch of its own label once the full
# archive is restored. They are kept when this configuration stops listing them (restoring an
# archive afterwards, say): a restore is an act, not a desired state.
resource "xano_workspace_schema_import" "branch" {
  for_each = local.branches

  workspace_id      = data.xano_workspace.target.workspace_id
  branch            = each.key
  source_path       = "${var.backup_set}/${each.value.file}"
  source_sha256     = each.value.archive_sha256
  set_live          = false
  retain_on_destroy = true

  depends_on = [xano_workspace_import.restore]
}
