# Whether the archive committed to the repository holds what staging holds now, whatever the
# compression or the export time.
check "committed_archive_is_current" {
  assert {
    condition     = provider::xano::archive_content_sha256("${path.module}/archives/staging.tar.gz") == data.xano_workspace_export.staging.content_sha256
    error_message = "archives/staging.tar.gz is out of date: export staging again."
  }
}
