# A branch for the next release of production, cloned from v1. Renaming it later
# (changing label) renames the branch in place.
resource "xano_workspace_branch" "release" {
  workspace_id  = 2
  label         = "release_2026_11"
  source_branch = "v1"
  description   = "November release"
  color         = "#3b82f6"
}
