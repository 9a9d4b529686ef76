# A schema-only snapshot of the live branch of workspace 1, made once and kept.
resource "xano_workspace_snapshot" "staging_schema" {
  workspace_id = 1
  output_path  = "${path.module}/backups/staging-schema.tar.gz"
}

# A nightly backup with data: time_rotating changes its id once a day (at the
# first apply after the rotation), which makes a new snapshot. output_path is
# templated on the same value, so every day gets its own file and the previous
# ones are kept (retain_on_destroy defaults to true).
resource "time_rotating" "nightly" {
  rotation_days = 1
}

resource "xano_workspace_snapshot" "nightly" {
  workspace_id = 1
  include_data = true
  output_path  = "${path.module}/backups/staging-${formatdate("YYYY-MM-DD", time_rotating.nightly.id)}.tar.gz"

  triggers = {
    rotation = time_rotating.nightly.id
  }

  timeouts {
    create = "1h"
  }
}

# An encrypted backup of one branch. password_wo never reaches state or plan
# (Terraform and OpenTofu 1.11 or later): bump password_wo_version when the
# password changes.
variable "backup_password" {
  type      = string
  sensitive = true
}

resource "xano_workspace_snapshot" "production_encrypted" {
  workspace_id        = 2
  branch              = "v1"
  output_path         = "${path.module}/backups/production-v1.tar.gz.enc"
  password_wo         = var.backup_password
  password_wo_version = 1
}

# On a CI runner that keeps no disk between runs, stream the archive to object
# storage: it outlives the runner, and the next run's refresh (one HEAD request)
# finds it. Credentials come from the standard chain (here the runner's AWS role,
# e.g. GitHub Actions OIDC), never from the URL.
resource "xano_workspace_snapshot" "nightly_s3" {
  workspace_id = 1
  include_data = true
  output_url   = "s3://acme-xano-backups/staging/${formatdate("YYYY-MM-DD", time_rotating.nightly.id)}.tar.gz?region=eu-west-1"

  triggers = {
    rotation = time_rotating.nightly.id
  }
}

# When another step moves the archive elsewhere and the runner keeps nothing:
# do not watch the file, and tie the snapshot to the release instead.
variable "release" {
  type = string
}

resource "xano_workspace_snapshot" "before_deploy" {
  workspace_id  = 2
  output_path   = "/tmp/xano/production-before-${var.release}.tar.gz"
  track_archive = false

  triggers = {
    release = var.release
  }
}
