import {
  to = xano_workspace_branch.release
  id = "2/release_2026_11"
}
