# What changed in staging's live branch since last week's snapshot: a weekly
# report for a team that edits Xano in its UI.
data "xano_workspace_changes" "staging" {
  workspace_id  = 1
  baseline_path = "${path.module}/backups/staging-last-week.tar.gz"
}

output "staging_changes" {
  value = data.xano_workspace_changes.staging.changes
}
