data "xano_workspaces" "all" {}

# Find a workspace's ID by its name.
locals {
  staging_id = one([for ws in data.xano_workspaces.all.workspaces : ws.id if ws.name == "staging"])
}

output "staging_id" {
  value = local.staging_id
}
