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
