data "xano_workspace_branches" "production" {
  workspace_id = 2
}

output "production_live_branch" {
  value = data.xano_workspace_branches.production.live_branch
}

# The labels of the branches made by hand or by imports, without the backup
# branches that merges in the Xano UI leave behind.
output "production_branches" {
  value = [for b in data.xano_workspace_branches.production.branches : b.label if !b.backup]
}
