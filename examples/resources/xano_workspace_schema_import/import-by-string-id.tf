import {
  to = xano_workspace_schema_import.release
  id = "2/release_2026_11"
}
