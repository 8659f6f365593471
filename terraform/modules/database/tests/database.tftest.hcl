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

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/faceauth-test"
    }
  }

  mock_resource "aws_db_instance" {
    defaults = {
      arn = "arn:aws:rds:eu-west-1:111122223333:db:faceauth-test"
    }
  }

  mock_resource "aws_db_proxy" {
    defaults = {
      arn      = "arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-0000"
      endpoint = "faceauth-test.proxy.example"
    }
  }
}

# The managed master secret is computed by AWS; give it a value so outputs can index it.
override_resource {
  target = aws_db_instance.this
  values = {
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0000", kms_key_id = "key", secret_status = "active" }]
  }
}

variables {
  name              = "faceauth-test"
  subnet_ids        = ["subnet-aaaa", "subnet-bbbb"]
  security_group_id = "sg-database"
}

run "instance_is_private_encrypted_and_manages_its_password" {
  command = plan

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false
    error_message = "The database must not be publicly accessible."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.manage_master_user_password
    error_message = "Storage is encrypted and RDS manages the master password in Secrets Manager."
  }

  assert {
    condition     = aws_db_instance.this.engine == "mysql" && startswith(aws_db_instance.this.engine_version, "8.0")
    error_message = "faceauth runs on MySQL 8.0."
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection && !aws_db_instance.this.multi_az && aws_db_instance.this.backup_retention_period == 7
    error_message = "Defaults: deletion protection on, single AZ, a week of backups."
  }
}

run "parameter_group_requires_tls" {
  command = plan

  assert {
    condition     = aws_db_parameter_group.this.name_prefix == "faceauth-test-mysql80-"
    error_message = "The parameter group is named by prefix, so create_before_destroy can replace it."
  }

  assert {
    condition     = one([for p in aws_db_parameter_group.this.parameter : p.value if p.name == "require_secure_transport"]) == "1"
    error_message = "require_secure_transport must be ON."
  }
}

run "proxy_is_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_db_proxy.this) == 0 && length(aws_iam_role.monitoring) == 0
    error_message = "RDS Proxy and enhanced monitoring are opt-in."
  }
}

run "prod_switches_turn_on_multi_az_proxy_and_monitoring" {
  command = plan

  variables {
    multi_az                     = true
    enable_proxy                 = true
    monitoring_interval          = 60
    performance_insights_enabled = true
  }

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.monitoring_interval == 60 && aws_db_instance.this.performance_insights_enabled
    error_message = "Multi-AZ, enhanced monitoring and Performance Insights follow their switches."
  }

  assert {
    condition     = length(aws_db_proxy.this) == 1 && aws_db_proxy.this[0].require_tls && aws_db_proxy.this[0].engine_family == "MYSQL"
    error_message = "The proxy requires TLS."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.proxy[0].statement[0].actions) == "secretsmanager:GetSecretValue"
    error_message = "The proxy role reads only the secret."
  }
}

run "rejects_mysql_5_7" {
  command = plan

  variables {
    engine_version = "5.7"
  }

  expect_failures = [var.engine_version]
}
