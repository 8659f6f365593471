# The prod environment: the faceauth stack (modules/stack) with prod's settings. Anything not
# set here takes the stack's default; the region comes from terraform.tfvars.

locals {
  environment = "prod"

  # The same set the stack puts on every resource; also the provider's default_tags.
  tags = {
    Project     = "faceauth"
    Environment = local.environment
    ManagedBy   = "terraform"
    Owner       = "faceauth-team"
    CostCenter  = "faceauth-prod"
  }
}

module "faceauth" {
  source = "../../modules/stack"

  environment = local.environment
  build_dir   = "${path.root}/../../../build"

  database = {
    instance_class               = "db.t4g.medium"
    allocated_storage            = 50
    max_allocated_storage        = 500
    multi_az                     = true
    deletion_protection          = true
    skip_final_snapshot          = false
    backup_retention_period      = 14
    performance_insights_enabled = true
    monitoring_interval          = 60
    enable_proxy                 = true
  }

  # Face Liveness: images or sessions while app releases without the liveness component are
  # in use; "required" once none is (docs/deploy.md).
  liveness = "optional"

  log_level          = "INFO"
  log_retention_days = 90

  compare = {
    memory_size          = 1024
    reserved_concurrency = 100
  }

  usage_plan = {
    rate_limit  = 50
    burst_limit = 100
    quota_limit = 200000
  }

  stage_throttle = {
    rate_limit  = 100
    burst_limit = 200
  }

  tags = local.tags
}
