# The alarms became one table-driven resource (aws_cloudwatch_metric_alarm.this, keyed by
# "<former resource name>/<former key>"): these keep the existing alarms in state. Keys are
# those the stack passes (functions compare, purge, migrate; API stage v1; both DLQs); a move
# from an address that is not in state does nothing. Remove once both environments have
# applied this change.

moved {
  from = aws_cloudwatch_metric_alarm.lambda_errors["compare"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_errors/compare"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_errors["purge"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_errors/purge"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_errors["migrate"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_errors/migrate"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_throttles["compare"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_throttles/compare"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_throttles["purge"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_throttles/purge"]
}

moved {
  from = aws_cloudwatch_metric_alarm.lambda_throttles["migrate"]
  to   = aws_cloudwatch_metric_alarm.this["lambda_throttles/migrate"]
}

moved {
  from = aws_cloudwatch_metric_alarm.compare_duration_p99
  to   = aws_cloudwatch_metric_alarm.this["compare_duration_p99"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_5xx_rate["v1"]
  to   = aws_cloudwatch_metric_alarm.this["api_5xx_rate/v1"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_4xx_rate["v1"]
  to   = aws_cloudwatch_metric_alarm.this["api_4xx_rate/v1"]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_latency_p99["v1"]
  to   = aws_cloudwatch_metric_alarm.this["api_latency_p99/v1"]
}

moved {
  from = aws_cloudwatch_metric_alarm.purge_not_run
  to   = aws_cloudwatch_metric_alarm.this["purge_not_run"]
}

moved {
  from = aws_cloudwatch_metric_alarm.purge_lag
  to   = aws_cloudwatch_metric_alarm.this["purge_lag"]
}

moved {
  from = aws_cloudwatch_metric_alarm.purge_errors
  to   = aws_cloudwatch_metric_alarm.this["purge_errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dlq_depth["purge_failures"]
  to   = aws_cloudwatch_metric_alarm.this["dlq_depth/purge_failures"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dlq_depth["schedule"]
  to   = aws_cloudwatch_metric_alarm.this["dlq_depth/schedule"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rds_cpu
  to   = aws_cloudwatch_metric_alarm.this["rds_cpu"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rds_free_storage
  to   = aws_cloudwatch_metric_alarm.this["rds_free_storage"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rds_connections
  to   = aws_cloudwatch_metric_alarm.this["rds_connections"]
}
