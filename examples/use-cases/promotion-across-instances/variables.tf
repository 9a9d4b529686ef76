variable "staging_instance_url" {
  description = "The staging instance's origin, e.g. https://x8ki-letl-twmt.n7.xano.io."
  type        = string
}

variable "staging_token" {
  description = "A Metadata API token of the staging instance, with read access to the staging workspace. Pass it as TF_VAR_staging_token."
  type        = string
  sensitive   = true
}

variable "staging_workspace_id" {
  description = "The ID of the staging workspace, on the staging instance."
  type        = number
}

variable "staging_branch" {
  description = "The staging branch to promote. Null or empty: the branch that is live on staging when the release's snapshot is taken."
  type        = string
  default     = null
}

variable "production_instance_url" {
  description = "The production instance's origin."
  type        = string
}

variable "production_token" {
  description = "A Metadata API token of the production instance, with write access to the production workspace. Pass it as TF_VAR_production_token."
  type        = string
  sensitive   = true
}

variable "production_workspace_id" {
  description = "The ID of the production workspace, on the production instance (IDs are per instance)."
  type        = number
}

variable "release" {
  description = "The label of the production branch the release is imported into, e.g. release_2026_11_27. A new label promotes staging again, into a new branch that replaces the previous release's as the live one."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_./-]*$", var.release)) && lower(var.release) != "v1"
    error_message = "release must start with a letter, a digit or _, hold only letters, digits, _, -, . and /, and not be v1."
  }
}

variable "store_url" {
  description = "The bucket and key prefix the release archives go to, as an object URL with the store's query parameters, e.g. s3://my-releases/xano?region=eu-west-1. Credentials come from the store's standard chain, never from the URL. Unset: local files in build/."
  type        = string
  default     = null
}

variable "import_timeout" {
  description = "How long the import into production (upload, import and the export that records the drift baseline) may take."
  type        = string
  default     = "30m"
}
