import {
  to = xano_workspace_live_branch.production
  identity = {
    workspace_id = 2
  }
}
