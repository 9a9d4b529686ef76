data "xano_workspace" "production" {
  workspace_id = 2
}

output "production_live_branch" {
  value = data.xano_workspace.production.live_branch
}
