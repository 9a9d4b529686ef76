output "added" {
  description = "The objects the candidate adds to what production serves now (keys such as function/<name>, endpoint/<api group>/<VERB> <path>)."
  value       = local.promotion.added
}

output "changed" {
  description = "The objects the candidate changes."
  value       = local.promotion.changed
}

output "removed" {
  description = "The objects the candidate removes."
  value       = local.promotion.removed
}

output "release_live" {
  description = "Whether the release branch is live."
  value       = xano_workspace_schema_import.release.live
}
