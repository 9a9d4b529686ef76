# The state lives in S3 (or any remote backend): on an ephemeral CI runner, a local
# state would be lost with the runner, and the next run would back everything up again.
# The settings come from a file given at init, so that one configuration serves every
# environment:
#
#   terraform init -backend-config=backend.s3.hcl
#
# with, in backend.s3.hcl:
#
#   bucket       = "my-backups"
#   key          = "terraform/xano-nightly-backups.tfstate"
#   region       = "eu-west-1"
#   use_lockfile = true   # Terraform 1.10+ / OpenTofu 1.10+; older: dynamodb_table
#
# To try the use case on one machine without a bucket, delete this file and leave
# store_url unset: the state and the archives are then local files.
terraform {
  backend "s3" {}
}
