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
