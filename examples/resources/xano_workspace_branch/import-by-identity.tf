# The label is given as it is: a label with a slash needs no escaping here
# (label = "feature/x").
import {
  to = xano_workspace_branch.release
  identity = {
    workspace_id = 2
    label        = "release_2026_11"
  }
}
