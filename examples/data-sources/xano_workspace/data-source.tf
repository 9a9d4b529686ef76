data "xano_workspace" "production" {
  id = 2
}

output "production_live_branch" {
  value = data.xano_workspace.production.live_branch
}
