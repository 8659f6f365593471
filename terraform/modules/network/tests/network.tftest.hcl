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

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:faceauth-test"
    }
  }

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
}

variables {
  name            = "faceauth-test"
  log_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}

run "creates_private_subnets_in_two_azs_without_a_nat" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 2 && alltrue([for s in aws_subnet.private : s.map_public_ip_on_launch == false])
    error_message = "Two private subnets, no public IPs."
  }

  assert {
    condition     = aws_subnet.private[0].availability_zone != aws_subnet.private[1].availability_zone
    error_message = "The subnets are in different AZs."
  }
}

run "functions_reach_aws_through_endpoints" {
  command = plan

  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["rekognition", "secretsmanager", "xray"])
    error_message = "Rekognition, Secrets Manager and X-Ray get interface endpoints."
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway"
    error_message = "S3 is reached through a gateway endpoint."
  }
}

run "database_accepts_mysql_only_from_the_functions" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.this["database_from_lambda"].from_port == 3306 && aws_vpc_security_group_ingress_rule.this["database_from_lambda"].to_port == 3306
    error_message = "The database accepts MySQL from the Lambda security group."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.this["database_from_lambda"].referenced_security_group_id == aws_security_group.lambda.id
    error_message = "The rule references the Lambda security group, not an address range."
  }
}

run "flow_logs_are_on" {
  command = plan

  assert {
    condition     = length(aws_flow_log.this) == 1 && aws_cloudwatch_log_group.flow_logs[0].kms_key_id == var.log_kms_key_arn
    error_message = "Rejected traffic is logged to an encrypted group."
  }
}

run "uses_an_existing_vpc" {
  command = plan

  variables {
    create_vpc = false
    existing_vpc = {
      vpc_id             = "vpc-0000"
      private_subnet_ids = ["subnet-aaaa", "subnet-bbbb"]
      route_table_ids    = ["rtb-aaaa"]
    }
  }

  assert {
    condition     = length(aws_vpc.this) == 0 && output.vpc_id == "vpc-0000" && output.private_subnet_ids == tolist(["subnet-aaaa", "subnet-bbbb"])
    error_message = "An existing VPC is used as given."
  }
}

run "rejects_a_missing_existing_vpc" {
  command = plan

  variables {
    create_vpc = false
  }

  expect_failures = [var.existing_vpc]
}
