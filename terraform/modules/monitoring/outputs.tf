output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "alarm_names" {
  description = "Names of all alarms, for the runbook and smoke checks."
  value = concat(
    [for alarm in aws_cloudwatch_metric_alarm.lambda_errors : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_throttles : alarm.alarm_name],
    [aws_cloudwatch_metric_alarm.compare_duration_p99.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.api_5xx_rate : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.api_4xx_rate : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.api_latency_p99 : alarm.alarm_name],
    [
      aws_cloudwatch_metric_alarm.purge_not_run.alarm_name,
      aws_cloudwatch_metric_alarm.purge_lag.alarm_name,
      aws_cloudwatch_metric_alarm.purge_errors.alarm_name,
    ],
    [for alarm in aws_cloudwatch_metric_alarm.dlq_depth : alarm.alarm_name],
    [
      aws_cloudwatch_metric_alarm.rds_cpu.alarm_name,
      aws_cloudwatch_metric_alarm.rds_free_storage.alarm_name,
      aws_cloudwatch_metric_alarm.rds_connections.alarm_name,
    ],
  )
}
