locals {
  runtime      = "python3.12"
  architecture = "arm64"

  # Every FACEAUTH_* variable a function reads in AWS, the functions that read it and
  # faceauth's default, generated from faceauth.settings (`make settings-table`; a test fails
  # when it is stale). Each function gets every variable it reads, one value per variable for
  # all its readers: faceauth.settings owns the defaults, var.settings and the deployment's
  # facts below override them.
  settings = jsondecode(file("${path.module}/settings.json"))

  setting_values = merge(
    { for name, setting in local.settings : name => setting.default if setting.default != null },
    var.settings,
    {
      FACEAUTH_DB_SECRET_ARN  = var.database.secret_arn
      FACEAUTH_DB_HOST        = var.database.host
      FACEAUTH_DB_PORT        = tostring(var.database.port)
      FACEAUTH_DB_NAME        = var.database.name
      FACEAUTH_DB_TLS_CA_PATH = var.database.tls_ca_path
      FACEAUTH_IMAGES_BUCKET  = var.images_bucket.name
      FACEAUTH_FACE_ENGINE    = "rekognition"
    },
  )

  # The settings of one function: null where nothing gives a value (a precondition stops the plan).
  settings_of = {
    for key in ["compare", "purge", "migrate"] : key => {
      for name, setting in local.settings : name => lookup(local.setting_values, name, null) if contains(setting.used_by, key)
    }
  }

  # One entry per function; log groups, roles and alarms are keyed the same way.
  functions = {
    compare = {
      description          = "faceauth API: registers reference faces and verifies selfies"
      handler              = "compare.handler.lambda_handler"
      artifact             = var.artifacts.compare
      memory_size          = var.compare.memory_size
      timeout              = var.compare.timeout
      reserved_concurrency = var.compare.reserved_concurrency
      snap_start           = var.compare.snap_start
    }
    purge = {
      description          = "faceauth daily purge: deletes captured images past their retention"
      handler              = "purge.handler.lambda_handler"
      artifact             = var.artifacts.purge
      memory_size          = 256
      timeout              = var.purge_timeout
      reserved_concurrency = 1 # two purges at once would race on the same rows
      snap_start           = false
    }
    migrate = {
      description          = "faceauth schema migrations (Alembic), invoked by the pipeline after apply"
      handler              = "migrate.handler.lambda_handler"
      artifact             = var.artifacts.migrate
      memory_size          = 256
      timeout              = 300
      reserved_concurrency = 1 # migrations must never run concurrently
      snap_start           = false
    }
  }

  function_names = { for key, _ in local.functions : key => "${var.name}-${key}" }
}

################################################################################
# Layers built by `make build`
################################################################################

resource "aws_lambda_layer_version" "common" {
  layer_name               = "${var.name}-common"
  description              = "faceauth shared package"
  filename                 = var.artifacts.common_layer.filename
  source_code_hash         = var.artifacts.common_layer.source_code_hash
  compatible_runtimes      = [local.runtime]
  compatible_architectures = [local.architecture]

  lifecycle {
    precondition {
      condition     = var.artifacts.common_layer.source_code_hash != null
      error_message = "No hash for ${var.artifacts.common_layer.filename}: run `make build` before planning."
    }
  }
}

resource "aws_lambda_layer_version" "deps" {
  layer_name               = "${var.name}-deps"
  description              = "faceauth third-party dependencies for ${local.runtime} on ${local.architecture}"
  filename                 = var.artifacts.deps_layer.filename
  source_code_hash         = var.artifacts.deps_layer.source_code_hash
  compatible_runtimes      = [local.runtime]
  compatible_architectures = [local.architecture]

  lifecycle {
    precondition {
      condition     = var.artifacts.deps_layer.source_code_hash != null
      error_message = "No hash for ${var.artifacts.deps_layer.filename}: run `make build` before planning."
    }
  }
}

################################################################################
# Log groups (created before the functions so retention and KMS apply from the first line)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment (var.log_retention_days); logs hold no images or face data, and a year is not required.
  for_each = local.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

################################################################################
# Functions
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:Artifacts are built and hashed by the pipeline; code signing needs a Signer profile the team has not adopted.
  #checkov:skip=CKV_AWS_173:The environment holds no secrets (only the secret's ARN) and is encrypted at rest with the Lambda service key.
  #checkov:skip=CKV_AWS_116:compare and migrate are invoked synchronously (a DLQ never fires); the purge's failures go to an on-failure destination (aws_lambda_function_event_invoke_config.purge).
  for_each = local.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.this[each.key].arn

  runtime          = local.runtime
  architectures    = [local.architecture]
  handler          = each.value.handler
  filename         = each.value.artifact.filename
  source_code_hash = each.value.artifact.source_code_hash
  layers           = [aws_lambda_layer_version.common.arn, aws_lambda_layer_version.deps.arn]
  publish          = true

  memory_size                    = each.value.memory_size
  timeout                        = each.value.timeout
  reserved_concurrent_executions = each.value.reserved_concurrency

  environment {
    variables = merge(local.settings_of[each.key], {
      POWERTOOLS_SERVICE_NAME      = each.key
      POWERTOOLS_METRICS_NAMESPACE = "FaceAuth"
      POWERTOOLS_LOG_LEVEL         = var.log_level
    })
  }

  vpc_config {
    subnet_ids         = var.vpc.subnet_ids
    security_group_ids = var.vpc.security_group_ids
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "snap_start" {
    for_each = each.value.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this[each.key].name
    application_log_level = var.log_level
    system_log_level      = "INFO" # keeps platform.report (duration, memory) and timeouts
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.runtime]

  lifecycle {
    precondition {
      condition     = each.value.artifact.source_code_hash != null
      error_message = "No hash for ${each.value.artifact.filename}: run `make build` before planning."
    }

    precondition {
      condition     = alltrue([for value in values(local.settings_of[each.key]) : value != null])
      error_message = "${each.key} reads settings that have neither a faceauth default nor a value here: ${join(", ", [for name, value in local.settings_of[each.key] : name if value == null])}."
    }

    precondition {
      condition     = alltrue([for name in keys(var.settings) : contains(keys(local.settings), name)])
      error_message = "No function reads ${join(", ", [for name in keys(var.settings) : name if !contains(keys(local.settings), name)])} (settings.json lists what each reads)."
    }
  }
}

################################################################################
# Traffic goes through aliases: API stage vN -> compare alias vN, the schedule -> purge alias
# "live". An apply publishes new versions but moves no alias (ignore_changes): the pipeline
# moves them to output.release_aliases once the migrations ran (docs/deploy.md, release order).
# Only the first apply, which creates them, points them at the versions it publishes.
################################################################################

# Each alias's version: a pinned one, else the latest published. output.release_aliases
# repeats the expression: a local would be evaluated, and fail, when tofu test overrides the
# whole module (its resources then have no instances).
resource "aws_lambda_alias" "compare" {
  for_each = var.api_versions

  name             = each.key
  description      = "compare for API ${each.key}"
  function_name    = aws_lambda_function.this["compare"].function_name
  function_version = coalesce(each.value.function_version, aws_lambda_function.this["compare"].version)

  lifecycle {
    ignore_changes = [function_version]
  }
}

resource "aws_lambda_alias" "purge" {
  name             = "live"
  description      = "purge as the schedule invokes it"
  function_name    = aws_lambda_function.this["purge"].function_name
  function_version = aws_lambda_function.this["purge"].version

  lifecycle {
    ignore_changes = [function_version]
  }
}

################################################################################
# Purge failures: async invocations that still fail after retries land in SQS
################################################################################

resource "aws_sqs_queue" "purge_failures" {
  name                      = "${var.name}-purge-failures"
  message_retention_seconds = 1209600 # 14 days: the maximum, to leave time to investigate
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

resource "aws_lambda_function_event_invoke_config" "purge" {
  function_name                = aws_lambda_function.this["purge"].function_name
  qualifier                    = aws_lambda_alias.purge.name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.purge_failures.arn
    }
  }
}
