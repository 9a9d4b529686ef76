# A promotion reviewed from its saved plan: the candidate is snapshotted first
# (stage 1), so that the plan of the promotion (stage 2) reads the archive and
# shows, as planned values, what it changes in production; the saved plan is
# then applied as reviewed. See README.md.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

# The instance URL and the token come from XANO_INSTANCE_URL and XANO_TOKEN.
provider "xano" {}

# Stage 1 (apply -target): the candidate, an export-schema of staging's live
# branch. A refresh never exports again, so the file stays what was reviewed.
resource "xano_workspace_snapshot" "candidate" {
  workspace_id = var.staging_workspace_id
  output_path  = "${path.module}/build/candidate.tar.gz"
}

# Stage 2 (plan -out, review, apply the plan file): the candidate imported into
# a new branch of production, made live. The archive exists at plan time, so
# the plan's `changes` say what the promotion adds, changes and removes
# compared with the live branch.
resource "xano_workspace_schema_import" "release" {
  workspace_id  = var.production_workspace_id
  branch        = var.release
  source_path   = xano_workspace_snapshot.candidate.output_path
  source_sha256 = xano_workspace_snapshot.candidate.archive_sha256
  set_live      = true

  # The content the reviewer approved (optional): apply fails before importing
  # anything if the archive holds other content.
  expected_content_sha256 = var.reviewed_content_sha256

  lifecycle {
    create_before_destroy = true
  }
}
