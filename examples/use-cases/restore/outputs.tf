output "workspace" {
  description = "The restored workspace's name."
  value       = data.xano_workspace.target.name
}

output "backup_path" {
  description = "The safety export of the workspace as it was just before the restore."
  value       = xano_workspace_import.restore.backup_path
}

output "backup_sha256" {
  description = "The SHA-256 of the safety export (equal to filesha256(backup_path))."
  value       = xano_workspace_import.restore.backup_sha256
}

output "backup_content_sha256" {
  description = "The canonical content hash of the safety export."
  value       = xano_workspace_import.restore.backup_content_sha256
}

output "imported_sha256" {
  description = "The SHA-256 of the archive last restored."
  value       = xano_workspace_import.restore.imported_sha256
}

output "imported_at" {
  description = "When the last restore finished (RFC 3339, UTC)."
  value       = xano_workspace_import.restore.imported_at
}

output "live_branch" {
  description = "The branch the restore made live (the archive's branch becomes v1)."
  value       = xano_workspace_import.restore.live_branch
}
