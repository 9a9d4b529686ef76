output "release_branch" {
  description = "The production branch that holds the release."
  value       = xano_workspace_schema_import.release.branch
}

output "release_live" {
  description = "Whether the release branch is production's live branch."
  value       = xano_workspace_schema_import.release.live
}

output "staging_exported_branch" {
  description = "The staging branch the release was exported from."
  value       = xano_workspace_snapshot.staging.exported_branch
}

output "archive_path" {
  description = "The release's archive (schema and business logic, no records)."
  value       = xano_workspace_snapshot.staging.output_path
}

output "archive_sha256" {
  description = "The SHA-256 of the release's archive."
  value       = xano_workspace_snapshot.staging.archive_sha256
}

output "content_sha256" {
  description = "The canonical content hash of the release branch in production, as last observed: it changes when someone edits the branch."
  value       = xano_workspace_schema_import.release.content_sha256
}

output "archive_url" {
  description = "The release's archive in the bucket, when store_url is set."
  value       = xano_workspace_snapshot.staging.output_url
}
