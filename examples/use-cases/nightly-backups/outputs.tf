output "backup_day" {
  description = "The day (UTC) of the current rotation, as used in the archives' names."
  value       = local.day
}

output "next_rotation" {
  description = "When the next apply starts making new backups (RFC 3339)."
  value       = time_rotating.nightly.rotation_rfc3339
}

output "backups" {
  description = "Today's archive of each workspace, by workspace ID."
  value = {
    for id, snap in xano_workspace_snapshot.nightly : id => {
      workspace       = local.workspaces[id].name
      path            = snap.output_path
      url             = snap.output_url
      archive_sha256  = snap.archive_sha256
      archive_md5     = snap.archive_md5
      archive_size    = snap.archive_size
      exported_branch = snap.exported_branch
    }
  }
}
