# The configuration under test: staging's schema promoted into a new live branch
# of production. In a pull request, ci.sh applies it to a local Xano emulator
# seeded with fixture.json, then checks that a second plan has nothing to do, so
# a broken configuration is caught before it reaches a real instance. The same
# file runs unchanged against real Xano: only XANO_INSTANCE_URL and XANO_TOKEN
# differ.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    xano = {
      source = "xano-community/xano"
    }
  }
}

# XANO_INSTANCE_URL and XANO_TOKEN come from ci.sh (the emulator's URL and token).
provider "xano" {}

resource "xano_workspace_snapshot" "staging" {
  workspace_id = var.staging_workspace_id
  output_path  = "${path.module}/build/staging-schema.tar.gz"

  triggers = {
    release = var.release
  }
}

resource "xano_workspace_schema_import" "release" {
  workspace_id  = var.production_workspace_id
  branch        = var.release
  source_path   = xano_workspace_snapshot.staging.output_path
  source_sha256 = xano_workspace_snapshot.staging.archive_sha256
  set_live      = true

  lifecycle {
    create_before_destroy = true
  }
}

variable "staging_workspace_id" {
  description = "The workspace whose live branch is promoted (1 in fixture.json)."
  type        = number
  default     = 1
}

variable "production_workspace_id" {
  description = "The workspace that gets the release branch (2 in fixture.json)."
  type        = number
  default     = 2
}

variable "release" {
  description = "The label of the branch created in production."
  type        = string
  default     = "release-1"
}

output "release_branch" {
  description = "The branch made live in production."
  value       = xano_workspace_schema_import.release.branch
}
