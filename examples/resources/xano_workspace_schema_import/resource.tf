# Promotion: export staging's schema and import it into a new branch of production,
# made live. The archive is written in the same apply: source_sha256 comes from the
# snapshot, so the file is checked once it exists. On a fresh CI runner the snapshot is
# exported again; as long as staging holds the same content, the branch is not re-imported.
resource "xano_workspace_snapshot" "staging" {
  workspace_id = 1
  output_path  = "${path.module}/build/staging-schema.tar.gz"
}

resource "xano_workspace_schema_import" "release" {
  workspace_id  = 2
  branch        = "release_2026_11"
  source_path   = xano_workspace_snapshot.staging.output_path
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  set_live      = true

  # Xano cannot delete the live branch: when branch changes (a new release label),
  # create the new branch, and make it live, before deleting the old one.
  lifecycle {
    create_before_destroy = true
  }

  timeouts {
    create = "1h"
    update = "1h"
  }
}

# An archive kept in the repository, encrypted with a password. A new archive (its
# SHA-256 changes) re-imports the branch in place, keeping its label.
variable "archive_password" {
  type      = string
  sensitive = true
}

resource "xano_workspace_schema_import" "hotfix" {
  workspace_id        = 2
  branch              = "hotfix"
  source_path         = "${path.module}/archives/hotfix.tar.gz.enc"
  source_sha256       = filesha256("${path.module}/archives/hotfix.tar.gz.enc")
  password_wo         = var.archive_password
  password_wo_version = 1

  # A very large workspace: do not export the branch on every refresh.
  detect_drift = false
}

# Promotion through object storage, for CI runners that keep no disk between
# jobs: the reviewed snapshot lives in a bucket, and the import reads that very
# object (checked against source_sha256 before anything is uploaded).
resource "xano_workspace_snapshot" "release_s3" {
  workspace_id = 1
  output_url   = "s3://acme-xano-releases/staging/release_2.tar.gz?region=eu-west-1"
}

resource "xano_workspace_schema_import" "release_s3" {
  workspace_id  = 2
  branch        = "release_2"
  source_url    = xano_workspace_snapshot.release_s3.output_url
  source_sha256 = xano_workspace_snapshot.release_s3.archive_sha256
  set_live      = true
}
