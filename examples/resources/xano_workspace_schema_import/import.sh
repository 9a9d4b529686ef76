# A branch is imported by "<workspace_id>/<label>"; URL-escape a label that contains
# a slash (feature/x becomes feature%2Fx).
terraform import xano_workspace_schema_import.release 2/release_2026_11
