variable "workspace_id" {
  description = "The ID of the workspace whose whole content (tables, records, branches) is replaced by the archive."
  type        = number
}

variable "confirm_workspace_name" {
  description = "The name of that workspace, as a confirmation: the plan fails when workspace_id names another workspace."
  type        = string
}

variable "archive_path" {
  description = "The archive to restore: a full export (with records) of a workspace, such as a nightly backup. Relative paths are resolved against the directory Terraform runs in. Set this or backup_set."
  type        = string
  default     = null
}

variable "archive_url" {
  description = "Or: the archive to restore as an object URL, e.g. s3://my-backups/xano/2-production/2-production-2026-11-26.tar.gz?region=eu-west-1 (a nightly backup's url output). Needs archive_sha256."
  type        = string
  default     = null
}

variable "archive_sha256" {
  description = "The SHA-256 of the object at archive_url (the nightly backup's archive_sha256): the object is checked against it as it is read, and nothing is imported unless it matches."
  type        = string
  default     = null
}

variable "store_url" {
  description = "A bucket and key prefix for the backup sets, with the store's query parameters, e.g. s3://my-backups/xano?region=eu-west-1: each restore's set goes under <prefix>/restores/. Unset: local folders in backup_dir."
  type        = string
  default     = null
}

variable "backup_set" {
  description = "The folder of a backup set to restore (the backup_path of an earlier restore): its full archive, then every other branch it holds. Set this or archive_path."
  type        = string
  default     = null
}

variable "backup_dir" {
  description = "Where the backup set taken before the restore is written (one folder per restore). Defaults to backups/ next to this configuration."
  type        = string
  default     = null
}

variable "restore_timeout" {
  description = "How long the backup set and the restore may take together."
  type        = string
  default     = "90m"
}
