output "branch" {
  description = "The production branch managed here."
  value       = xano_workspace_schema_import.production.branch
}

output "imported_sha256" {
  description = "The SHA-256 of the archive the branch was last imported from."
  value       = xano_workspace_schema_import.production.imported_sha256
}

output "content_sha256" {
  description = "The canonical content hash of the branch, as last observed."
  value       = xano_workspace_schema_import.production.content_sha256
}
