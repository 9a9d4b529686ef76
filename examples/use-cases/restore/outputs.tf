output "workspace" {
  description = "The restored workspace's name."
  value       = data.xano_workspace.target.name
}

output "backup_path" {
  description = "The folder of the backup set: the workspace as it was just before the restore."
  value       = xano_workspace_import.restore.backup_path
}

output "backup_url" {
  description = "The object prefix of the backup set, when store_url is set."
  value       = xano_workspace_import.restore.backup_url
}

output "backup_sha256" {
  description = "The SHA-256 of the backup set's manifest (equal to filesha256(\"$${backup_path}/manifest.json\")), which pins every archive of the set."
  value       = xano_workspace_import.restore.backup_sha256
}

output "backup_content_sha256" {
  description = "The canonical content hash of the backup set's full archive (the live branch with its records)."
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

output "branches_deleted" {
  description = "The branches the last restore deleted (all the workspace had), the live one first."
  value       = xano_workspace_import.restore.branches_deleted
}

output "branches_restored" {
  description = "The branches restored from a backup set's schema archives, besides the live one."
  value       = sort(keys(xano_workspace_schema_import.branch))
}
