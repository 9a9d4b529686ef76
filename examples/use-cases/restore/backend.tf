# The state lives in S3 (or any remote backend): a restore run from CI must record what it
# did (and where the backup set is) beyond the runner. The settings come from a file given
# at init:
#
#   terraform init -backend-config=backend.s3.hcl
#
# with, in backend.s3.hcl:
#
#   bucket       = "my-backups"
#   key          = "terraform/xano-restore-production.tfstate"
#   region       = "eu-west-1"
#   use_lockfile = true   # Terraform 1.10+ / OpenTofu 1.10+; older: dynamodb_table
#
# To run the use case on one machine without a bucket, delete this file: the state is
# then a local file.
terraform {
  backend "s3" {}
}
