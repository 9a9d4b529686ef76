# The functions of a snapshot, by name.
output "snapshot_functions" {
  value = [
    for k in keys(provider::xano::archive_objects(xano_workspace_snapshot.staging.output_path)) :
    trimprefix(k, "function/") if startswith(k, "function/")
  ]
}
