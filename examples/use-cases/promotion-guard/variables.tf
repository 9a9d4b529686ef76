variable "workspace_id" {
  description = "The ID of the production workspace."
  type        = number
}

variable "release" {
  description = "The label of the production branch the candidate is imported into and made live."
  type        = string
  default     = "release"
}

variable "candidate_archive" {
  description = "The archive to promote (an export-schema of staging, written by an earlier job of the pipeline). Defaults to archives/candidate.tar.gz next to this configuration."
  type        = string
  default     = null
}

variable "allow_endpoint_removal" {
  description = "Let the promotion remove endpoints that production serves now."
  type        = bool
  default     = false
}
