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

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/faceauth-test"
    }
  }

  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:faceauth-test"
    }
  }
}

variables {
  name         = "faceauth-test"
  function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test-purge"
}

run "purge_runs_daily_with_retries_and_a_dlq" {
  command = plan

  assert {
    condition     = aws_scheduler_schedule.purge.schedule_expression == "cron(15 3 * * ? *)" && aws_scheduler_schedule.purge.state == "ENABLED"
    error_message = "The purge runs once a day."
  }

  assert {
    condition     = aws_scheduler_schedule.purge.target[0].arn == var.function_arn && aws_scheduler_schedule.purge.target[0].retry_policy[0].maximum_retry_attempts == 3
    error_message = "The schedule targets the purge and retries."
  }

  assert {
    condition     = length(aws_scheduler_schedule.purge.target[0].dead_letter_config) == 1
    error_message = "Undelivered events go to the dead-letter queue."
  }
}

run "scheduler_role_invokes_only_the_purge" {
  command = plan

  assert {
    condition     = one([for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "InvokePurge"]) == toset([var.function_arn])
    error_message = "The role may invoke only the purge function."
  }
}

run "can_be_paused" {
  command = plan

  variables {
    enabled = false
  }

  assert {
    condition     = aws_scheduler_schedule.purge.state == "DISABLED"
    error_message = "enabled = false pauses the schedule."
  }
}
