resource "xano_workspace_branch" "release" {
  workspace_id = 2
  label        = "release_2026_11"
}

# Serve the release branch. If someone makes another branch live in the Xano UI,
# the next plan shows an update that makes this one live again.
resource "xano_workspace_live_branch" "production" {
  workspace_id = xano_workspace_branch.release.workspace_id
  branch       = xano_workspace_branch.release.label
}
