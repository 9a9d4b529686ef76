variable "backup_dir" {
  description = "The folder the archives are written to, one subfolder per workspace. Defaults to backups/ next to this configuration."
  type        = string
  default     = null
}

variable "exclude_workspaces" {
  description = "Names of workspaces not to back up (for example scratch workspaces). Every other workspace the token can see is backed up."
  type        = set(string)
  default     = []
}

variable "track_files" {
  description = "Check on every plan that today's archives are still on disk, and make them again when they are missing or changed. Set to false when another job moves the archives elsewhere (object storage, tape) after the backup."
  type        = bool
  default     = true
}

variable "snapshot_timeout" {
  description = "How long one workspace's export and download may take. Workspaces with many records need more."
  type        = string
  default     = "1h"
}
