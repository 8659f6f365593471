# The dev environment: the faceauth stack (modules/stack) with dev's settings. Anything not
# set here takes the stack's default; the region comes from terraform.tfvars.

locals {
  environment = "dev"

  # The same set the stack puts on every resource; also the provider's default_tags.
  tags = {
    Project     = "faceauth"
    Environment = local.environment
    ManagedBy   = "terraform"
    Owner       = "faceauth-team"
    CostCenter  = "faceauth-dev"
  }
}

module "faceauth" {
  source = "../../modules/stack"

  environment = local.environment
  build_dir   = "${path.root}/../../../build"

  database = {
    instance_class               = "db.t4g.micro"
    allocated_storage            = 20
    max_allocated_storage        = 100
    multi_az                     = false
    deletion_protection          = false
    skip_final_snapshot          = true
    backup_retention_period      = 7
    performance_insights_enabled = false
    monitoring_interval          = 0
    enable_proxy                 = false
  }

  # Face Liveness: images or sessions, so the camera page and the liveness page both work here.
  liveness = "optional"

  log_level          = "DEBUG"
  log_retention_days = 14

  compare = {
    memory_size          = 512
    reserved_concurrency = 10
  }

  usage_plan = {
    rate_limit  = 5
    burst_limit = 10
    quota_limit = 5000
  }

  stage_throttle = {
    rate_limit  = 50
    burst_limit = 100
  }

  tags = local.tags
}
