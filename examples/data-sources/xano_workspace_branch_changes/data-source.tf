# A weekly "what changed in production" report for a team that edits Xano in
# its UI. baseline.tar.gz is last week's export of the live branch (a
# xano_workspace_snapshot, or a file downloaded from the Xano UI); the report
# lists what was added, changed (and how) and removed since, what lost data,
# and who made each change, from the workspace's audit log.
data "xano_workspace_branch_changes" "production" {
  workspace_id  = 2
  baseline_path = "${path.module}/baselines/production-last-week.tar.gz"
}

output "production_changed" {
  value = data.xano_workspace_branch_changes.production.changed
}

output "production_changes" {
  value = data.xano_workspace_branch_changes.production.changes
}
