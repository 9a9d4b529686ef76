# The state lives in S3 (or any remote backend), next to the release archives: a CI
# runner that starts from a clean checkout then finds both. The settings come from a
# file given at init:
#
#   terraform init -backend-config=backend.s3.hcl
#
# with, in backend.s3.hcl:
#
#   bucket       = "my-releases"
#   key          = "terraform/xano-promotion.tfstate"
#   region       = "eu-west-1"
#   use_lockfile = true   # Terraform 1.10+ / OpenTofu 1.10+; older: dynamodb_table
#
# To try the use case on one machine without a bucket, delete this file and leave
# store_url unset: the state and the archive are then local files (build/).
terraform {
  backend "s3" {}
}
