# Nightly backups of every workspace the token can see: one full export (schema,
# business logic and table records) per workspace and per day, streamed to a bucket
# (store_url), with the state in an s3 backend (backend.tf), so that a CI job on an
# ephemeral runner keeps everything it makes. Run `apply` from a scheduler; applies
# between two rotations do nothing, on whichever runner they run.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.14"
    }
  }
}

# The instance URL and the token come from XANO_INSTANCE_URL and XANO_TOKEN.
# Backups only need a token with read access to the workspaces.
provider "xano" {}

data "xano_workspaces" "all" {}

# Changes its id once a day: at the first apply more than 24 hours after the
# previous rotation (see README.md for what that means for the schedule).
resource "time_rotating" "nightly" {
  rotation_days = 1
}

locals {
  backup_dir = coalesce(var.backup_dir, "${path.module}/backups")

  # store_url is a bucket URL with a key prefix and the store's query parameters, e.g.
  # s3://my-backups/xano?region=eu-west-1: each object's URL is the prefix, the object's
  # key below it, then the same query.
  to_bucket   = var.store_url != null && var.store_url != ""
  store_parts = local.to_bucket ? split("?", var.store_url) : [""]
  store_base  = trimsuffix(local.store_parts[0], "/")
  store_query = length(local.store_parts) > 1 ? "?${join("?", slice(local.store_parts, 1, length(local.store_parts)))}" : ""

  # The day of the current rotation (UTC), e.g. 2026-11-27.
  day = formatdate("YYYY-MM-DD", time_rotating.nightly.rfc3339)

  # One entry per workspace, keyed by ID: names can change and need not be unique.
  # stem is the workspace's ID and a file-name-safe form of its name, e.g.
  # "3-marketing-site" for workspace 3 "Marketing Site".
  workspaces = {
    for ws in data.xano_workspaces.all.workspaces : tostring(ws.id) => {
      id   = ws.id
      name = ws.name
      stem = join("-", compact([tostring(ws.id), trim(replace(lower(ws.name), "/[^a-z0-9]+/", "-"), "-")]))
    } if !contains(var.exclude_workspaces, ws.name)
  }
}

resource "xano_workspace_snapshot" "nightly" {
  for_each = local.workspaces

  workspace_id = each.value.id
  include_data = true

  # An object (or a file) per workspace and per day, e.g.
  # s3://my-backups/xano/1-staging/1-staging-2026-11-27.tar.gz. When the day changes, the
  # new snapshot goes to a new key, and the previous snapshot is only forgotten: its object
  # stays in the bucket (retain_on_destroy), where a lifecycle rule expires it.
  output_url        = local.to_bucket ? "${local.store_base}/${each.value.stem}/${each.value.stem}-${local.day}.tar.gz${local.store_query}" : null
  output_path       = local.to_bucket ? null : "${local.backup_dir}/${each.value.stem}/${each.value.stem}-${local.day}.tar.gz"
  retain_on_destroy = true
  track_archive     = var.track_archives

  triggers = {
    rotation = time_rotating.nightly.id
  }

  timeouts {
    create = var.snapshot_timeout
  }
}
