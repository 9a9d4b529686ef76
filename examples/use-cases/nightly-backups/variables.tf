variable "store_url" {
  description = "The bucket and key prefix the archives go to, as an object URL with the store's query parameters, e.g. s3://my-backups/xano?region=eu-west-1 (gs://, azblob://, and S3-compatible stores with endpoint= and use_path_style=true). Credentials come from the store's standard chain, never from the URL. Unset: local files in backup_dir."
  type        = string
  default     = null
}

variable "backup_dir" {
  description = "The folder the archives are written to when store_url is unset, one subfolder per workspace. Defaults to backups/ next to this configuration."
  type        = string
  default     = null
}

variable "exclude_workspaces" {
  description = "Names of workspaces not to back up (for example scratch workspaces). Every other workspace the token can see is backed up."
  type        = set(string)
  default     = []
}

variable "track_archives" {
  description = "Check on every plan that today's archives are still there (one HEAD request per object, or a look at each file), and make them again when they are missing or changed. Set to false when another job moves the archives elsewhere after the backup."
  type        = bool
  default     = true
}

variable "snapshot_timeout" {
  description = "How long one workspace's export and download may take. Workspaces with many records need more."
  type        = string
  default     = "1h"
}
