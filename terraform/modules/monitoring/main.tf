data "aws_region" "current" {}

locals {
  region  = data.aws_region.current.region
  actions = [aws_sns_topic.alarms.arn]
  purge   = var.function_names["purge"]
  compare = var.function_names["compare"]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = var.alarm_emails

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

################################################################################
# Alarms: one entry per alarm of docs/runbook.md, each only what differs from alarm_defaults.
# An entry watches one metric (namespace, metric_name, dimensions, statistic), or a metric
# math expression over named metrics (metrics: id => metric, summed over each period).
################################################################################

locals {
  # The metrics of compare's Face Liveness alarms: sessions created, and answers by error code
  # (EMF, namespace FaceAuth, dimension service = compare; ErrorCode on Errors).
  liveness_sessions = { namespace = "FaceAuth", metric_name = "LivenessSessions", dimensions = { service = "compare" } }
  liveness_errors = {
    for code in ["LIVENESS_FAILED", "LIVENESS_SESSION_INVALID", "LIVENESS_SESSION_EXPIRED", "LIVENESS_SESSION_INCOMPLETE"] :
    code => { namespace = "FaceAuth", metric_name = "Errors", dimensions = { service = "compare", ErrorCode = code } }
  }

  liveness_alarms = { for key, alarm in {
    liveness_failure_rate = {
      name        = "${local.compare}-liveness-failure-rate"
      description = "More than ${var.thresholds.liveness_failure_rate * 100}% of Face Liveness sessions failed the liveness check (LIVENESS_FAILED). Runbook: docs/runbook.md#liveness-failure-rate"
      metrics = {
        sessions = local.liveness_sessions
        failed   = local.liveness_errors["LIVENESS_FAILED"]
      }
      expression = "IF(sessions >= ${var.thresholds.liveness_min_sessions}, FILL(failed, 0) / sessions, 0)"
      period     = 900
      threshold  = var.thresholds.liveness_failure_rate
    }
    liveness_session_errors = {
      name        = "${local.compare}-liveness-session-errors"
      description = "More than ${var.thresholds.liveness_session_errors * 100}% of Face Liveness sessions were refused: invalid, expired or incomplete. Runbook: docs/runbook.md#liveness-session-errors"
      metrics = {
        sessions   = local.liveness_sessions
        invalid    = local.liveness_errors["LIVENESS_SESSION_INVALID"]
        expired    = local.liveness_errors["LIVENESS_SESSION_EXPIRED"]
        incomplete = local.liveness_errors["LIVENESS_SESSION_INCOMPLETE"]
      }
      expression = "IF(sessions >= ${var.thresholds.liveness_min_sessions}, (FILL(invalid, 0) + FILL(expired, 0) + FILL(incomplete, 0)) / sessions, 0)"
      period     = 900
      threshold  = var.thresholds.liveness_session_errors
    }
    # Rekognition's Face Liveness APIs failing (throttled, denied, down) for compare: each
    # such request answered 503 DEPENDENCY_UNAVAILABLE, counted by its dependency.
    liveness_service_faults = {
      name        = "${local.compare}-liveness-service-faults"
      description = "More than ${var.thresholds.liveness_service_faults} Face Liveness requests in 5 minutes failed on Rekognition's side (throttling, access denied, faults): the app's users cannot start or use sessions. Runbook: docs/runbook.md#liveness-service-faults"
      namespace   = "FaceAuth"
      metric_name = "DependencyFaults"
      dimensions  = { service = "compare", Dependency = "liveness" }
      statistic   = "Sum"
      threshold   = var.thresholds.liveness_service_faults
    }
  } : key => alarm if var.liveness_alarms }
}

locals {
  alarm_defaults = {
    namespace           = null
    metric_name         = null
    dimensions          = null
    statistic           = null
    extended_statistic  = null
    metrics             = {}
    expression          = null
    period              = 300
    evaluation_periods  = 1
    datapoints_to_alarm = null
    comparison_operator = "GreaterThanThreshold"
    threshold           = 0
    treat_missing_data  = "notBreaching"
  }

  alarm_specs = merge(
    # Lambda: errors and throttles of every function, compare's p99 duration
    { for key, function in var.function_names : "lambda_errors/${key}" => {
      name        = "${function}-errors"
      description = "${function} raised unhandled errors. Runbook: docs/runbook.md#lambda-errors"
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = function }
      statistic   = "Sum"
    } },
    { for key, function in var.function_names : "lambda_throttles/${key}" => {
      name        = "${function}-throttles"
      description = "${function} was throttled (reserved concurrency reached). Runbook: docs/runbook.md#lambda-throttles"
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = function }
      statistic   = "Sum"
    } },
    {
      compare_duration_p99 = {
        name                = "${local.compare}-duration-p99"
        description         = "compare's p99 duration is above ${var.thresholds.compare_p99_duration_ms} ms. Runbook: docs/runbook.md#compare-p99-duration"
        namespace           = "AWS/Lambda"
        metric_name         = "Duration"
        dimensions          = { FunctionName = local.compare }
        extended_statistic  = "p99"
        evaluation_periods  = 3
        datapoints_to_alarm = 2
        threshold           = var.thresholds.compare_p99_duration_ms
      }
    },

    # compare's own 500s: every one is a bug (expected failures have their own codes)
    {
      compare_internal_errors = {
        name        = "${local.compare}-internal-errors"
        description = "compare answered 500 INTERNAL_ERROR: an exception no handler expected. Runbook: docs/runbook.md#compare-internal-errors"
        namespace   = "FaceAuth"
        metric_name = "Errors"
        dimensions  = { service = "compare", ErrorCode = "INTERNAL_ERROR" }
        statistic   = "Sum"
      }
    },

    # Face Liveness, as shares of the sessions compare created (LivenessSessions) in the same
    # 15 minutes (a session lives 3), once there are enough to judge: failed liveness checks
    # (LIVENESS_FAILED: attacks, or an app or a setting that fails live people), and sessions
    # the app used wrongly (reused or another user's, expired, not finished).
    local.liveness_alarms,

    # API Gateway: 5XX and 4XX rates and p99 latency of every stage
    { for stage in var.api_stages : "api_5xx_rate/${stage}" => {
      name                = "${var.api_name}-${stage}-5xx-rate"
      description         = "More than ${var.thresholds.api_5xx_rate * 100}% of ${stage} requests fail with 5XX. Runbook: docs/runbook.md#api-5xx-rate"
      namespace           = "AWS/ApiGateway"
      metric_name         = "5XXError"
      dimensions          = { ApiName = var.api_name, Stage = stage }
      statistic           = "Average"
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      threshold           = var.thresholds.api_5xx_rate
    } },
    { for stage in var.api_stages : "api_4xx_rate/${stage}" => {
      name                = "${var.api_name}-${stage}-4xx-rate"
      description         = "More than ${var.thresholds.api_4xx_rate * 100}% of ${stage} requests are rejected with 4XX. Runbook: docs/runbook.md#api-4xx-rate"
      namespace           = "AWS/ApiGateway"
      metric_name         = "4XXError"
      dimensions          = { ApiName = var.api_name, Stage = stage }
      statistic           = "Average"
      evaluation_periods  = 3
      datapoints_to_alarm = 3
      threshold           = var.thresholds.api_4xx_rate
    } },
    { for stage in var.api_stages : "api_latency_p99/${stage}" => {
      name                = "${var.api_name}-${stage}-latency-p99"
      description         = "p99 latency of ${stage} is above ${var.thresholds.api_p99_latency_ms} ms. Runbook: docs/runbook.md#api-latency-p99"
      namespace           = "AWS/ApiGateway"
      metric_name         = "Latency"
      dimensions          = { ApiName = var.api_name, Stage = stage }
      extended_statistic  = "p99"
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      threshold           = var.thresholds.api_p99_latency_ms
    } },

    # Purge: did it run, is it keeping up, did it fail
    {
      # The purge emits PurgeRuns = 1 per completed run. 26 hourly periods with no run (missing
      # data counts as breaching) means a daily run was missed by more than two hours.
      purge_not_run = {
        name                = "${local.purge}-not-run"
        description         = "The purge has not completed a run in ${var.thresholds.purge_missing_hours} hours. Runbook: docs/runbook.md#purge-not-run"
        namespace           = "FaceAuth"
        metric_name         = "PurgeRuns"
        dimensions          = { service = "purge" }
        statistic           = "Sum"
        period              = 3600
        evaluation_periods  = var.thresholds.purge_missing_hours
        datapoints_to_alarm = var.thresholds.purge_missing_hours
        comparison_operator = "LessThanThreshold"
        threshold           = 1
        treat_missing_data  = "breaching"
      }
      purge_lag = {
        name               = "${local.purge}-lag"
        description        = "An image is more than ${var.thresholds.purge_lag_seconds} s past its retention and still stored. Runbook: docs/runbook.md#purge-lag"
        namespace          = "FaceAuth"
        metric_name        = "PurgeLagSeconds"
        dimensions         = { service = "purge" }
        statistic          = "Maximum"
        period             = 3600
        threshold          = var.thresholds.purge_lag_seconds
        treat_missing_data = "notBreaching" # absence is purge_not_run's job
      }
      purge_errors = {
        name        = "${local.purge}-delete-errors"
        description = "The purge could not delete some images or rows. Runbook: docs/runbook.md#purge-errors"
        namespace   = "FaceAuth"
        metric_name = "PurgeErrors"
        dimensions  = { service = "purge" }
        statistic   = "Sum"
        period      = 3600
      }
    },
    { for key, queue in var.dlq_names : "dlq_depth/${key}" => {
      name        = "${queue}-depth"
      description = "Messages are waiting in ${queue}: a scheduled purge failed or was not delivered. Runbook: docs/runbook.md#dlq-depth"
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = queue }
      statistic   = "Maximum"
    } },

    # RDS: CPU, free storage, connections
    {
      rds_cpu = {
        name               = "${var.db_instance_identifier}-cpu"
        description        = "Database CPU above ${var.thresholds.rds_cpu_percent}%. Runbook: docs/runbook.md#rds-cpu"
        namespace          = "AWS/RDS"
        metric_name        = "CPUUtilization"
        dimensions         = { DBInstanceIdentifier = var.db_instance_identifier }
        statistic          = "Average"
        evaluation_periods = 3
        threshold          = var.thresholds.rds_cpu_percent
        treat_missing_data = "missing"
      }
      rds_free_storage = {
        name                = "${var.db_instance_identifier}-free-storage"
        description         = "Database free storage below ${var.thresholds.rds_free_storage_bytes} bytes. Runbook: docs/runbook.md#rds-free-storage"
        namespace           = "AWS/RDS"
        metric_name         = "FreeStorageSpace"
        dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
        statistic           = "Minimum"
        comparison_operator = "LessThanThreshold"
        threshold           = var.thresholds.rds_free_storage_bytes
        treat_missing_data  = "missing"
      }
      rds_connections = {
        name               = "${var.db_instance_identifier}-connections"
        description        = "More than ${var.thresholds.rds_max_connections} database connections. Runbook: docs/runbook.md#rds-connections"
        namespace          = "AWS/RDS"
        metric_name        = "DatabaseConnections"
        dimensions         = { DBInstanceIdentifier = var.db_instance_identifier }
        statistic          = "Maximum"
        evaluation_periods = 2
        threshold          = var.thresholds.rds_max_connections
        treat_missing_data = "missing"
      }
    },
  )

  alarms = { for key, spec in local.alarm_specs : key => merge(local.alarm_defaults, spec) }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.expression == null ? each.value.period : null
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = local.actions
  ok_actions          = local.actions

  # A metric math alarm: its metrics, then the expression it alarms on.
  dynamic "metric_query" {
    for_each = each.value.metrics

    content {
      id          = metric_query.key
      return_data = false

      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        dimensions  = metric_query.value.dimensions
        stat        = "Sum"
        period      = each.value.period
      }
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : [each.value.expression]

    content {
      id          = "alarm"
      expression  = metric_query.value
      label       = each.value.name
      return_data = true
    }
  }

  tags = var.tags
}
