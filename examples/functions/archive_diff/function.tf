locals {
  promotion = provider::xano::archive_diff(
    data.xano_workspace_export.production.output_path, # what production serves now
    "${path.module}/archives/candidate.tar.gz",        # what is about to be promoted
  )
}

resource "xano_workspace_schema_import" "release" {
  workspace_id  = 2
  branch        = "release"
  source_path   = "${path.module}/archives/candidate.tar.gz"
  source_sha256 = filesha256("${path.module}/archives/candidate.tar.gz")
  set_live      = true

  lifecycle {
    precondition {
      condition     = length([for k in local.promotion.removed : k if startswith(k, "endpoint/")]) == 0
      error_message = "The promotion removes endpoints: ${join(", ", local.promotion.removed)}."
    }
  }
}
