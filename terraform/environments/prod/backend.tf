# Partial configuration: the pipeline supplies the state bucket and region, e.g.
#   tofu init -backend-config="bucket=<state-bucket>" -backend-config="region=<region>"
terraform {
  backend "s3" {
    key          = "faceauth/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true # native S3 locking, no DynamoDB table
  }
}
