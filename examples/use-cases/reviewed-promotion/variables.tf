variable "staging_workspace_id" {
  description = "The workspace whose live branch is the candidate."
  type        = number
  default     = 1
}

variable "production_workspace_id" {
  description = "The workspace the candidate is promoted into."
  type        = number
  default     = 2
}

variable "release" {
  description = "The label of production's new branch (a new label per release)."
  type        = string
}

variable "reviewed_content_sha256" {
  description = "The candidate's content_sha256 as reviewed (see the output candidate_content_sha256); null checks nothing."
  type        = string
  default     = null
}
