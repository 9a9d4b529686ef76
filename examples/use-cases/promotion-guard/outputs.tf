output "added" {
  description = "The objects the last promotion added to what production served (keys such as function/<name>, endpoint/<api group>/<VERB> <path>)."
  value       = terraform_data.promotion.output.added
}

output "changed" {
  description = "The objects the last promotion changed."
  value       = terraform_data.promotion.output.changed
}

output "removed" {
  description = "The objects the last promotion removed."
  value       = terraform_data.promotion.output.removed
}

output "release_live" {
  description = "Whether the release branch is live."
  value       = xano_workspace_schema_import.release.live
}
