variable "workspace_id" {
  description = "The ID of the production workspace."
  type        = number
}

variable "branch" {
  description = "The label of the production branch the archive is imported into, and that is kept live. Changing it imports into a new branch, makes it live, then deletes the previous one."
  type        = string
  default     = "production"
}

variable "archive_path" {
  description = "The archive that production's branch must match, committed to the repository: an export (schema only is enough) of the branch to deploy. Defaults to archives/production-schema.tar.gz next to this configuration. A new archive is a deploy: apply re-imports the branch in place, keeping its label."
  type        = string
  default     = null
}
