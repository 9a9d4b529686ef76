# Restore the production workspace from a full snapshot of staging, after a backup
# set of production (every branch, a manifest). This REPLACES production's tables,
# data and branches.
resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  include_data = true
  output_path  = "${path.module}/archives/staging.tar.gz"
}

resource "xano_workspace_import" "production" {
  workspace_id = 2
  # Every restore loses data: the plan lists what in changes.destructive, and
  # fails unless this confirms it.
  allow_data_loss = true
  source_path     = xano_workspace_snapshot.staging.output_path
  source_sha256   = xano_workspace_snapshot.staging.archive_sha256
  # A folder; or backup_url = "s3://my-backups/xano/production/before-restore?region=eu-west-1"
  backup_path = "${path.module}/archives/production-before-restore"

  timeouts {
    create = "90m"
    update = "90m"
  }
}
