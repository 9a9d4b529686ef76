# A full restore of a workspace from an archive: its tables, their records and
# all its branches are replaced by the archive's. A safety export of the
# workspace, with its records, is written first; nothing is imported unless that
# backup is complete on disk.

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
  archive_sha256 = filesha256(var.archive_path)
  backup_dir     = coalesce(var.backup_dir, "${path.module}/backups")

  # One safety backup per restore: restoring another archive later writes a new
  # backup next to this one instead of overwriting it.
  backup_path = "${local.backup_dir}/workspace-${var.workspace_id}-before-${substr(local.archive_sha256, 0, 12)}.tar.gz"
}

resource "xano_workspace_import" "restore" {
  workspace_id    = data.xano_workspace.target.workspace_id
  allow_data_loss = true
  source_path     = var.archive_path
  source_sha256   = local.archive_sha256
  backup_path     = local.backup_path

  lifecycle {
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
