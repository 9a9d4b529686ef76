# What changed in staging's live branch since last week's snapshot: a weekly
# report for a team that edits Xano in its UI.
data "xano_workspace_changes" "staging" {
  workspace_id  = 1
  baseline_path = "${path.module}/backups/staging-last-week.tar.gz"
}

output "staging_changes" {
  value = data.xano_workspace_changes.staging.changes
}

# The same with a baseline kept in object storage, for example the output_url
# of last week's xano_workspace_snapshot: the object is streamed, never copied
# to local disk.
data "xano_workspace_changes" "staging_from_bucket" {
  workspace_id = 1
  baseline_url = "s3://backups/xano/staging-last-week.tar.gz?region=eu-west-1"
}
