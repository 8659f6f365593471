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

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
      key_id = "00000000-0000-0000-0000-000000000000"
    }
  }
}

variables {
  name        = "faceauth-test-observability"
  description = "test key"
}

run "rotates_and_grants_no_service_by_default" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "Key rotation is on."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 1
    error_message = "Only the account administers the key unless a service is allowed."
  }

  assert {
    condition     = alltrue([for a in data.aws_iam_policy_document.this.statement[0].actions : !strcontains(a, "*")])
    error_message = "The key policy grants no wildcard action."
  }
}

run "lets_logs_and_alarms_use_the_key" {
  command = plan

  variables {
    allow_cloudwatch_logs   = true
    allow_cloudwatch_alarms = true
  }

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 3
    error_message = "CloudWatch Logs and alarms get their own statements."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/faceauth-test-observability"
    error_message = "The alias follows the name."
  }
}

run "rejects_an_aws_reserved_alias" {
  command = plan

  variables {
    name = "aws/s3"
  }

  expect_failures = [var.name]
}
