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
    condition     = toset(keys(aws_cloudwatch_metric_alarm.lambda_errors)) == toset(keys(var.function_names)) && toset(keys(aws_cloudwatch_metric_alarm.lambda_throttles)) == toset(keys(var.function_names))
    error_message = "One errors alarm and one throttles alarm per function."
  }

  assert {
    condition     = alltrue([for key, alarm in aws_cloudwatch_metric_alarm.lambda_errors : alarm.dimensions["FunctionName"] == var.function_names[key]])
    error_message = "Each alarm watches its own function."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.compare_duration_p99.extended_statistic == "p99"
    error_message = "compare's duration alarm uses p99."
  }
}

run "purge_silence_is_an_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.purge_not_run.treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.purge_not_run.metric_name == "PurgeRuns"
    error_message = "No PurgeRuns datapoint counts as a missed run."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.purge_not_run.period * aws_cloudwatch_metric_alarm.purge_not_run.evaluation_periods == 26 * 3600 && aws_cloudwatch_metric_alarm.purge_not_run.datapoints_to_alarm == 26
    error_message = "The alarm fires after 26 hours without a run."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.purge_lag.metric_name == "PurgeLagSeconds" && aws_cloudwatch_metric_alarm.purge_errors.metric_name == "PurgeErrors"
    error_message = "Purge lag and errors are watched."
  }
}

run "api_dlq_and_rds_are_watched" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.api_5xx_rate) == 1 && length(aws_cloudwatch_metric_alarm.api_4xx_rate) == 1 && length(aws_cloudwatch_metric_alarm.api_latency_p99) == 1
    error_message = "Each stage has 5XX, 4XX and latency alarms."
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.dlq_depth)) == toset(["purge_failures", "schedule"])
    error_message = "Every dead-letter queue has a depth alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.rds_cpu.namespace == "AWS/RDS" && aws_cloudwatch_metric_alarm.rds_free_storage.comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.rds_connections.metric_name == "DatabaseConnections"
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
