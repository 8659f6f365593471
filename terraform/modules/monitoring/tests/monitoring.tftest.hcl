mock_provider "aws" {
  # The mock keeps real provider validation, so computed values that flow into validated
  # arguments (ARNs, policy JSON) need realistic defaults.
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_region" {
    defaults = {
      region = "eu-west-1"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:111122223333:faceauth-test-alarms"
    }
  }
}

variables {
  name                   = "faceauth-test"
  function_names         = { compare = "faceauth-test-compare", purge = "faceauth-test-purge", migrate = "faceauth-test-migrate" }
  api_name               = "faceauth-test"
  api_stages             = ["v1"]
  db_instance_identifier = "faceauth-test"
  dlq_names              = { purge_failures = "faceauth-test-purge-failures", schedule = "faceauth-test-schedule-dlq" }
  kms_key_arn            = "arn:aws:kms:eu-west-1:111122223333:key/observability"
}

run "every_function_has_error_and_throttle_alarms" {
  command = plan

  assert {
    condition     = toset([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "lambda_errors/")]) == toset([for key in keys(var.function_names) : "lambda_errors/${key}"]) && toset([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "lambda_throttles/")]) == toset([for key in keys(var.function_names) : "lambda_throttles/${key}"])
    error_message = "One errors alarm and one throttles alarm per function."
  }

  assert {
    condition     = alltrue([for key, name in var.function_names : aws_cloudwatch_metric_alarm.this["lambda_errors/${key}"].dimensions["FunctionName"] == name && aws_cloudwatch_metric_alarm.this["lambda_throttles/${key}"].dimensions["FunctionName"] == name])
    error_message = "Each alarm watches its own function."
  }

  assert {
    condition     = alltrue([for key, name in var.function_names : aws_cloudwatch_metric_alarm.this["lambda_errors/${key}"].namespace == "AWS/Lambda" && aws_cloudwatch_metric_alarm.this["lambda_errors/${key}"].metric_name == "Errors" && aws_cloudwatch_metric_alarm.this["lambda_throttles/${key}"].metric_name == "Throttles"])
    error_message = "The per-function alarms watch AWS/Lambda Errors and Throttles."
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.this : alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.ok_actions == toset([aws_sns_topic.alarms.arn])])
    error_message = "Every alarm notifies the topic, on alarm and back to OK."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["compare_duration_p99"].extended_statistic == "p99"
    error_message = "compare's duration alarm uses p99."
  }
}

run "every_internal_error_of_compare_is_an_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["compare_internal_errors"].namespace == "FaceAuth" && aws_cloudwatch_metric_alarm.this["compare_internal_errors"].metric_name == "Errors"
    error_message = "The alarm watches the compare handler's EMF metric Errors."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["compare_internal_errors"].dimensions == tomap({ service = "compare", ErrorCode = "INTERNAL_ERROR" })
    error_message = "Exactly the dimensions add_dimensioned_metric emits: service and ErrorCode."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["compare_internal_errors"].statistic == "Sum" && aws_cloudwatch_metric_alarm.this["compare_internal_errors"].threshold == 0 && aws_cloudwatch_metric_alarm.this["compare_internal_errors"].comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.this["compare_internal_errors"].treat_missing_data == "notBreaching"
    error_message = "One INTERNAL_ERROR in five minutes fires; none is quiet."
  }
}

# Face Liveness (issue 12): failure rate and session errors, as shares of the sessions compare
# created, from the metrics compare emits (LivenessSessions; Errors by ErrorCode).
run "liveness_failure_rate_and_session_errors_are_alarms" {
  command = plan

  assert {
    condition     = { for id, query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : query.id => query.return_data if query.id != "alarm" } == { sessions = false, failed = false } && one([for query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : query.expression if query.id == "alarm"]) == "IF(sessions >= 10, FILL(failed, 0) / sessions, 0)"
    error_message = "The failure rate is LIVENESS_FAILED answers over sessions created, once 10 sessions were created."
  }

  assert {
    condition     = one([for query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : [for metric in query.metric : [metric.namespace, metric.metric_name, metric.dimensions, metric.stat, metric.period]] if query.id == "sessions"]) == [["FaceAuth", "LivenessSessions", tomap({ service = "compare" }), "Sum", 900]]
    error_message = "The denominator is compare's LivenessSessions count (EMF, service=compare), summed over 15 minutes."
  }

  assert {
    condition     = one([for query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : one(query.metric).dimensions if query.id == "failed"]) == tomap({ service = "compare", ErrorCode = "LIVENESS_FAILED" }) && one([for query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : one(query.metric).metric_name if query.id == "failed"]) == "Errors"
    error_message = "Failed checks are compare's Errors metric with ErrorCode LIVENESS_FAILED."
  }

  assert {
    condition     = toset([for query in aws_cloudwatch_metric_alarm.this["liveness_session_errors"].metric_query : one(query.metric).dimensions["ErrorCode"] if query.id != "alarm" && query.id != "sessions"]) == toset(["LIVENESS_SESSION_INVALID", "LIVENESS_SESSION_EXPIRED", "LIVENESS_SESSION_INCOMPLETE"])
    error_message = "Session errors are the three session codes of the error table."
  }

  assert {
    condition     = one([for query in aws_cloudwatch_metric_alarm.this["liveness_session_errors"].metric_query : query.expression if query.id == "alarm"]) == "IF(sessions >= 10, (FILL(invalid, 0) + FILL(expired, 0) + FILL(incomplete, 0)) / sessions, 0)"
    error_message = "Session errors are a share of the sessions created."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].threshold == 0.3 && aws_cloudwatch_metric_alarm.this["liveness_session_errors"].threshold == 0.2 && alltrue([for key in ["liveness_failure_rate", "liveness_session_errors"] : aws_cloudwatch_metric_alarm.this[key].comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.this[key].treat_missing_data == "notBreaching" && aws_cloudwatch_metric_alarm.this[key].period == null && aws_cloudwatch_metric_alarm.this[key].metric_name == null])
    error_message = "Metric math alarms (no metric of their own) above 30% and 20%; no sessions is quiet."
  }
}

run "liveness_service_faults_are_an_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["liveness_service_faults"].namespace == "FaceAuth" && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].metric_name == "DependencyFaults" && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].dimensions == tomap({ service = "compare", Dependency = "liveness" }) && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].statistic == "Sum"
    error_message = "Faults are compare's DependencyFaults metric of the liveness dependency (what compare.errors emits), summed."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["liveness_service_faults"].threshold == 5 && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].period == 300 && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].treat_missing_data == "notBreaching"
    error_message = "More than 5 faults in 5 minutes fires; none is quiet."
  }
}

run "liveness_thresholds_are_settings" {
  command = plan

  variables {
    thresholds = { liveness_failure_rate = 0.5, liveness_session_errors = 0.4, liveness_min_sessions = 25, liveness_service_faults = 20 }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].threshold == 0.5 && aws_cloudwatch_metric_alarm.this["liveness_session_errors"].threshold == 0.4 && aws_cloudwatch_metric_alarm.this["liveness_service_faults"].threshold == 20 && strcontains(one([for query in aws_cloudwatch_metric_alarm.this["liveness_failure_rate"].metric_query : query.expression if query.id == "alarm"]), "sessions >= 25")
    error_message = "Thresholds and the minimum of sessions come from var.thresholds."
  }
}

run "no_liveness_alarms_where_liveness_is_off" {
  command = plan

  variables {
    liveness_alarms = false
  }

  assert {
    condition     = length([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "liveness_")]) == 0
    error_message = "Without sessions there is nothing to alarm on."
  }
}

run "rejects_a_liveness_rate_outside_0_1" {
  command = plan

  variables {
    thresholds = { liveness_failure_rate = 30 }
  }

  expect_failures = [var.thresholds]
}

run "every_alarm_links_its_runbook_section" {
  command = plan

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.this : can(regex("Runbook: docs/runbook.md#[a-z0-9-]+$", alarm.alarm_description))])
    error_message = "Each alarm's description ends with the link to its runbook section."
  }
}

run "purge_silence_is_an_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["purge_not_run"].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.this["purge_not_run"].metric_name == "PurgeRuns"
    error_message = "No PurgeRuns datapoint counts as a missed run."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["purge_not_run"].period * aws_cloudwatch_metric_alarm.this["purge_not_run"].evaluation_periods == 26 * 3600 && aws_cloudwatch_metric_alarm.this["purge_not_run"].datapoints_to_alarm == 26
    error_message = "The alarm fires after 26 hours without a run."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["purge_not_run"].namespace == "FaceAuth" && aws_cloudwatch_metric_alarm.this["purge_not_run"].dimensions == tomap({ service = "purge" }) && aws_cloudwatch_metric_alarm.this["purge_not_run"].period == 3600
    error_message = "The alarm counts the purge's own PurgeRuns metric (EMF, service=purge) hour by hour."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["purge_lag"].metric_name == "PurgeLagSeconds" && aws_cloudwatch_metric_alarm.this["purge_errors"].metric_name == "PurgeErrors"
    error_message = "Purge lag and errors are watched."
  }
}

run "api_dlq_and_rds_are_watched" {
  command = plan

  assert {
    condition     = toset([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "api_")]) == toset(["api_5xx_rate/v1", "api_4xx_rate/v1", "api_latency_p99/v1"])
    error_message = "Each stage has 5XX, 4XX and latency alarms."
  }

  assert {
    condition     = toset([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "dlq_depth/")]) == toset(["dlq_depth/purge_failures", "dlq_depth/schedule"])
    error_message = "Every dead-letter queue has a depth alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["rds_cpu"].namespace == "AWS/RDS" && aws_cloudwatch_metric_alarm.this["rds_free_storage"].comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.this["rds_connections"].metric_name == "DatabaseConnections"
    error_message = "RDS CPU, free storage and connections are watched."
  }
}

run "dashboard_shows_the_business_metrics" {
  command = plan

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "Verifications") && strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "Similarity")
    error_message = "The dashboard shows verifications by result and similarity."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "DependencyFaults")
    error_message = "The dashboard shows compare's faults by dependency, next to its errors by code."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "The alarm topic is encrypted with the key CloudWatch may use."
  }
}

run "rejects_a_map_without_purge" {
  command = plan

  variables {
    function_names = { compare = "faceauth-test-compare" }
  }

  expect_failures = [var.function_names]
}
