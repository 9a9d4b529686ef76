# The instance URL and the access token are read from the environment:
#   export XANO_INSTANCE_URL="https://x8ki-letl-twmt.n7.xano.io"
#   export XANO_TOKEN="<a Metadata API access token>"
provider "xano" {}
