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
# Lambda: errors and throttles of every function, compare's p99 duration
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.function_names

  alarm_name          = "${each.value}-errors"
  alarm_description   = "${each.value} raised unhandled errors. Runbook: docs/runbook.md#lambda-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.function_names

  alarm_name          = "${each.value}-throttles"
  alarm_description   = "${each.value} was throttled (reserved concurrency reached). Runbook: docs/runbook.md#lambda-throttles"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "compare_duration_p99" {
  alarm_name          = "${local.compare}-duration-p99"
  alarm_description   = "compare's p99 duration is above ${var.thresholds.compare_p99_duration_ms} ms. Runbook: docs/runbook.md#compare-p99-duration"
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = local.compare }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.compare_p99_duration_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

################################################################################
# API Gateway: 5XX and 4XX rates and p99 latency of every stage
################################################################################

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  for_each = var.api_stages

  alarm_name          = "${var.api_name}-${each.value}-5xx-rate"
  alarm_description   = "More than ${var.thresholds.api_5xx_rate * 100}% of ${each.value} requests fail with 5XX. Runbook: docs/runbook.md#api-5xx-rate"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = var.api_name, Stage = each.value }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_5xx_rate
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_4xx_rate" {
  for_each = var.api_stages

  alarm_name          = "${var.api_name}-${each.value}-4xx-rate"
  alarm_description   = "More than ${var.thresholds.api_4xx_rate * 100}% of ${each.value} requests are rejected with 4XX. Runbook: docs/runbook.md#api-4xx-rate"
  namespace           = "AWS/ApiGateway"
  metric_name         = "4XXError"
  dimensions          = { ApiName = var.api_name, Stage = each.value }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_4xx_rate
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_latency_p99" {
  for_each = var.api_stages

  alarm_name          = "${var.api_name}-${each.value}-latency-p99"
  alarm_description   = "p99 latency of ${each.value} is above ${var.thresholds.api_p99_latency_ms} ms. Runbook: docs/runbook.md#api-latency-p99"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiName = var.api_name, Stage = each.value }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_p99_latency_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

################################################################################
# Purge: did it run, is it keeping up, did it fail
################################################################################

# The purge emits PurgeRuns = 1 per completed run. 26 hourly periods with no run (missing data
# counts as breaching) means a daily run was missed by more than two hours.
resource "aws_cloudwatch_metric_alarm" "purge_not_run" {
  alarm_name          = "${local.purge}-not-run"
  alarm_description   = "The purge has not completed a run in ${var.thresholds.purge_missing_hours} hours. Runbook: docs/runbook.md#purge-not-run"
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
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "purge_lag" {
  alarm_name          = "${local.purge}-lag"
  alarm_description   = "An image is more than ${var.thresholds.purge_lag_seconds} s past its retention and still stored. Runbook: docs/runbook.md#purge-lag"
  namespace           = "FaceAuth"
  metric_name         = "PurgeLagSeconds"
  dimensions          = { service = "purge" }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.purge_lag_seconds
  treat_missing_data  = "notBreaching" # absence is purge_not_run's job
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "purge_errors" {
  alarm_name          = "${local.purge}-delete-errors"
  alarm_description   = "The purge could not delete some images or rows. Runbook: docs/runbook.md#purge-errors"
  namespace           = "FaceAuth"
  metric_name         = "PurgeErrors"
  dimensions          = { service = "purge" }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = var.dlq_names

  alarm_name          = "${each.value}-depth"
  alarm_description   = "Messages are waiting in ${each.value}: a scheduled purge failed or was not delivered. Runbook: docs/runbook.md#dlq-depth"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

################################################################################
# RDS: CPU, free storage, connections
################################################################################

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.db_instance_identifier}-cpu"
  alarm_description   = "Database CPU above ${var.thresholds.rds_cpu_percent}%. Runbook: docs/runbook.md#rds-cpu"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.rds_cpu_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_free_storage" {
  alarm_name          = "${var.db_instance_identifier}-free-storage"
  alarm_description   = "Database free storage below ${var.thresholds.rds_free_storage_bytes} bytes. Runbook: docs/runbook.md#rds-free-storage"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.thresholds.rds_free_storage_bytes
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  alarm_name          = "${var.db_instance_identifier}-connections"
  alarm_description   = "More than ${var.thresholds.rds_max_connections} database connections. Runbook: docs/runbook.md#rds-connections"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.rds_max_connections
  treat_missing_data  = "missing"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}
