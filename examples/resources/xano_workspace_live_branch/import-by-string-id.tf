import {
  to = xano_workspace_live_branch.production
  id = "2"
}
