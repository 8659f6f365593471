locals {
  name = "faceauth-${var.environment}"

  tags = merge(var.tags, {
    Project     = "faceauth"
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # Built by `make build`; hashed here so the modules never read files themselves. A missing
  # zip gives a null hash, which validate and tflint accept and plan rejects (module precondition).
  artifact_paths = {
    compare      = "${var.build_dir}/functions/compare.zip"
    purge        = "${var.build_dir}/functions/purge.zip"
    migrate      = "${var.build_dir}/functions/migrate.zip"
    common_layer = "${var.build_dir}/layers/common.zip"
    deps_layer   = "${var.build_dir}/layers/deps.zip"
  }
  artifacts = { for key, path in local.artifact_paths : key => { filename = path, source_code_hash = try(filebase64sha256(path), null) } }
}

# One key for everything observability writes: log groups and the alarm topic.
module "observability_key" {
  source = "../kms"

  name                    = "${local.name}-observability"
  description             = "faceauth ${var.environment}: log groups and the alarm topic"
  allow_cloudwatch_logs   = true
  allow_cloudwatch_alarms = true

  tags = local.tags
}

module "network" {
  source = "../network"

  name            = local.name
  create_vpc      = var.existing_vpc == null
  existing_vpc    = var.existing_vpc
  vpc_cidr        = var.vpc_cidr
  az_count        = var.az_count
  log_kms_key_arn = module.observability_key.key_arn

  tags = local.tags
}

module "database" {
  source = "../database"

  name                         = local.name
  subnet_ids                   = module.network.private_subnet_ids
  security_group_id            = module.network.database_security_group_id
  instance_class               = var.database.instance_class
  allocated_storage            = var.database.allocated_storage
  max_allocated_storage        = var.database.max_allocated_storage
  multi_az                     = var.database.multi_az
  deletion_protection          = var.database.deletion_protection
  skip_final_snapshot          = var.database.skip_final_snapshot
  backup_retention_period      = var.database.backup_retention_period
  performance_insights_enabled = var.database.performance_insights_enabled
  monitoring_interval          = var.database.monitoring_interval
  enable_proxy                 = var.database.enable_proxy

  tags = local.tags
}

module "storage" {
  source = "../storage"

  name = local.name
  # The values the purge is given, so lifecycle and purge never disagree.
  pass_retention_days   = tonumber(module.functions.setting_values["FACEAUTH_PASS_RETENTION_DAYS"])
  fail_retention_days   = tonumber(module.functions.setting_values["FACEAUTH_FAIL_RETENTION_DAYS"])
  lifecycle_margin_days = var.lifecycle_margin_days
  access_log_bucket     = var.access_log_bucket

  tags = local.tags
}

module "functions" {
  source = "../functions"

  name      = local.name
  artifacts = local.artifacts

  vpc = {
    subnet_ids         = module.network.private_subnet_ids
    security_group_ids = [module.network.lambda_security_group_id]
  }

  images_bucket = {
    name        = module.storage.bucket_name
    arn         = module.storage.bucket_arn
    kms_key_arn = module.storage.kms_key_arn
  }

  database = {
    host               = module.database.endpoint_address
    port               = module.database.port
    name               = module.database.database_name
    secret_arn         = module.database.master_user_secret_arn
    secret_kms_key_arn = module.database.kms_key_arn
  }

  settings = merge(var.settings, {
    for name, value in {
      FACEAUTH_PASS_THRESHOLD       = var.pass_threshold
      FACEAUTH_PASS_RETENTION_DAYS  = var.pass_retention_days
      FACEAUTH_FAIL_RETENTION_DAYS  = var.fail_retention_days
      FACEAUTH_LOCKOUT_MAX_FAILURES = var.lockout_max_failures
      FACEAUTH_LOCKOUT_MINUTES      = var.lockout_minutes
      FACEAUTH_MAX_IMAGE_BYTES      = var.max_image_bytes
    } : name => tostring(value) if value != null
  })

  compare            = var.compare
  api_versions       = { for version in var.api_versions : version => {} }
  log_level          = var.log_level
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = module.observability_key.key_arn

  tags = local.tags
}

module "api" {
  source = "../api"

  name                        = local.name
  function_name               = module.functions.compare_function_name
  function_arn                = module.functions.compare_function_arn
  stage_aliases               = module.functions.compare_alias_names
  api_key_clients             = var.api_key_clients
  usage_plan                  = var.usage_plan
  stage_throttle              = var.stage_throttle
  web_acl_arn                 = var.web_acl_arn
  manage_account_logging_role = var.manage_api_gateway_account
  account_logging_role_arn    = var.api_account_logging_role_arn
  log_retention_days          = var.log_retention_days
  log_kms_key_arn             = module.observability_key.key_arn

  tags = local.tags
}

module "schedule" {
  source = "../schedule"

  name                = local.name
  function_arn        = module.functions.purge_alias_arn
  schedule_expression = var.purge_schedule_expression

  tags = local.tags
}

module "monitoring" {
  source = "../monitoring"

  name                   = local.name
  function_names         = module.functions.function_names
  api_name               = module.api.rest_api_name
  api_stages             = toset(var.api_versions)
  db_instance_identifier = module.database.instance_identifier
  thresholds             = var.alarm_thresholds
  alarm_emails           = var.alarm_emails
  kms_key_arn            = module.observability_key.key_arn

  dlq_names = {
    purge_failures = module.functions.purge_failure_queue_name
    schedule       = module.schedule.dlq_name
  }

  tags = local.tags
}
