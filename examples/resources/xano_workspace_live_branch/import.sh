# The live branch of a workspace is imported by the workspace ID.
terraform import xano_workspace_live_branch.production 2
