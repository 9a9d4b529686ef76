# Compare what staging's live branch contains now with the last snapshot: the
# content hashes are equal as long as the branch did not change, even though
# the archives' bytes differ.
data "xano_workspace_export" "staging_now" {
  workspace_id = 1
}

resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  output_path  = "${path.module}/backups/staging-schema.tar.gz"
}

output "staging_changed_since_snapshot" {
  value = data.xano_workspace_export.staging_now.content_sha256 != xano_workspace_snapshot.staging.content_sha256
}

# Stream an export straight to a bucket (no local copy), e.g. for a drift job
# whose artifact must outlive the runner. It is rewritten on every plan.
data "xano_workspace_export" "staging_to_gcs" {
  workspace_id = 1
  output_url   = "gs://acme-xano-exports/staging/latest.tar.gz"
}
