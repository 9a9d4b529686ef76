# The branch label is given as it is: a label with a slash needs no escaping
# here (branch = "feature/x").
import {
  to = xano_workspace_schema_import.release
  identity = {
    workspace_id = 2
    branch       = "release_2026_11"
  }
}
