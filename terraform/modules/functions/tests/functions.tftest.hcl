# Plan-only tests with a mocked AWS provider: no credentials, no build artifacts needed
# (the module takes file names and hashes as inputs and never reads the zips).

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

  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test"
      qualified_arn = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test:1"
      version       = "1"
    }
  }

  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:eu-west-1:111122223333:layer:faceauth-test:1"
      layer_arn = "arn:aws:lambda:eu-west-1:111122223333:layer:faceauth-test"
    }
  }

  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:111122223333:faceauth-test"
    }
  }
}

variables {
  name = "faceauth-test"

  artifacts = {
    compare      = { filename = "compare.zip", source_code_hash = "Y29tcGFyZQ==" }
    purge        = { filename = "purge.zip", source_code_hash = "cHVyZ2U=" }
    migrate      = { filename = "migrate.zip", source_code_hash = "bWlncmF0ZQ==" }
    common_layer = { filename = "common.zip", source_code_hash = "Y29tbW9u" }
    deps_layer   = { filename = "deps.zip", source_code_hash = "ZGVwcw==" }
  }

  vpc = {
    subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
    security_group_ids = ["sg-lambda"]
  }

  images_bucket = {
    name        = "faceauth-test-images"
    arn         = "arn:aws:s3:::faceauth-test-images"
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/images"
  }

  database = {
    host               = "db.internal"
    name               = "faceauth"
    secret_arn         = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds-db-credentials"
    secret_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/database"
  }

  # Values unlike faceauth's defaults, so a function that got a default instead shows.
  settings = {
    FACEAUTH_PASS_THRESHOLD      = "91.5"
    FACEAUTH_PASS_RETENTION_DAYS = "4"
    FACEAUTH_FAIL_RETENTION_DAYS = "27"
  }

  log_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}

run "functions_run_python312_on_arm64_in_the_vpc_with_tracing" {
  command = plan

  assert {
    condition     = toset(keys(aws_lambda_function.this)) == toset(["compare", "purge", "migrate"])
    error_message = "The module must create exactly compare, purge and migrate."
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.runtime == "python3.12" && f.architectures == tolist(["arm64"])])
    error_message = "Every function runs python3.12 on arm64."
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.tracing_config[0].mode == "Active" && length(f.vpc_config[0].subnet_ids) == 2])
    error_message = "Every function is traced with X-Ray and runs in the private subnets."
  }

  assert {
    condition     = aws_lambda_function.this["compare"].handler == "compare.handler.lambda_handler" && aws_lambda_function.this["purge"].handler == "purge.handler.lambda_handler" && aws_lambda_function.this["migrate"].handler == "migrate.handler.lambda_handler"
    error_message = "Handlers must match the application's entry points."
  }

  assert {
    condition     = aws_lambda_function.this["purge"].reserved_concurrent_executions == 1 && aws_lambda_function.this["migrate"].reserved_concurrent_executions == 1
    error_message = "Purge and migrate must never run concurrently."
  }
}

run "environment_carries_the_contract_settings" {
  command = plan

  assert {
    condition     = aws_lambda_function.this["compare"].environment[0].variables["FACEAUTH_PASS_THRESHOLD"] == "91.5"
    error_message = "compare gets the pass threshold."
  }

  assert {
    condition     = aws_lambda_function.this["compare"].environment[0].variables["FACEAUTH_FACE_ENGINE"] == "rekognition"
    error_message = "compare uses Rekognition in AWS."
  }

  assert {
    condition     = aws_lambda_function.this["purge"].environment[0].variables["FACEAUTH_FAIL_RETENTION_DAYS"] == "27" && aws_lambda_function.this["purge"].environment[0].variables["FACEAUTH_PASS_RETENTION_DAYS"] == "4"
    error_message = "purge gets both retentions."
  }

  assert {
    condition     = alltrue([for key, f in aws_lambda_function.this : f.environment[0].variables["POWERTOOLS_SERVICE_NAME"] == key && f.environment[0].variables["POWERTOOLS_METRICS_NAMESPACE"] == "FaceAuth"])
    error_message = "Each function names its Powertools service after itself, in the FaceAuth namespace."
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.environment[0].variables["FACEAUTH_DB_SECRET_ARN"] == var.database.secret_arn && f.environment[0].variables["FACEAUTH_DB_PORT"] == "3306"])
    error_message = "Every function connects to the database through the secret."
  }
}

# Configuration parity: settings.json is every setting a function reads in AWS
# (faceauth.settings, used_by; tests/terraform/test_settings_table.py keeps it current).
run "every_function_gets_every_setting_it_reads" {
  command = plan

  assert {
    condition     = alltrue(flatten([for name, setting in local.settings : [for key in setting.used_by : contains(keys(aws_lambda_function.this[key].environment[0].variables), name)]]))
    error_message = "Missing: ${join(", ", flatten([for name, setting in local.settings : [for key in setting.used_by : "${key} ${name}" if !contains(keys(aws_lambda_function.this[key].environment[0].variables), name)]]))}."
  }

  assert {
    condition     = alltrue([for key, f in aws_lambda_function.this : length([for name in keys(f.environment[0].variables) : name if startswith(name, "FACEAUTH_")]) == length([for setting in values(local.settings) : setting if contains(setting.used_by, key)])])
    error_message = "A function gets no FACEAUTH_* variable it does not read."
  }
}

run "a_setting_has_one_value_for_every_function_that_reads_it" {
  command = plan

  assert {
    condition     = alltrue([for name, setting in local.settings : length(distinct([for key in setting.used_by : aws_lambda_function.this[key].environment[0].variables[name]])) == 1])
    error_message = "Functions disagree on: ${join(", ", [for name, setting in local.settings : name if length(distinct([for key in setting.used_by : aws_lambda_function.this[key].environment[0].variables[name]])) > 1])}."
  }

  assert {
    condition     = aws_lambda_function.this["compare"].environment[0].variables["FACEAUTH_DB_NAME"] == aws_lambda_function.this["purge"].environment[0].variables["FACEAUTH_DB_NAME"] && aws_lambda_function.this["purge"].environment[0].variables["FACEAUTH_DB_NAME"] == aws_lambda_function.this["migrate"].environment[0].variables["FACEAUTH_DB_NAME"]
    error_message = "compare, the purge and migrate connect to the same schema."
  }
}

run "unset_settings_take_faceauths_default" {
  command = plan

  assert {
    condition     = aws_lambda_function.this["compare"].environment[0].variables["FACEAUTH_LOCKOUT_MAX_FAILURES"] == local.settings["FACEAUTH_LOCKOUT_MAX_FAILURES"].default
    error_message = "A setting nobody overrides is given faceauth's default."
  }
}

run "rejects_a_setting_no_function_reads" {
  command = plan

  variables {
    settings = { FACEAUTH_PASS_TRESHOLD = "80" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "every_function_logs_to_its_own_encrypted_group" {
  command = plan

  assert {
    condition     = alltrue([for key, f in aws_lambda_function.this : f.logging_config[0].log_group == aws_cloudwatch_log_group.this[key].name && f.logging_config[0].log_format == "JSON"])
    error_message = "Each function writes JSON logs to its own group."
  }

  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.this : g.retention_in_days == 30 && g.kms_key_id == var.log_kms_key_arn])
    error_message = "Log groups have retention and the KMS key."
  }
}

run "compare_has_one_alias_per_api_version" {
  command = plan

  variables {
    api_versions = { v1 = { function_version = "3" }, v2 = {} }
  }

  assert {
    condition     = toset(keys(aws_lambda_alias.compare)) == toset(["v1", "v2"]) && aws_lambda_alias.compare["v1"].function_version == "3"
    error_message = "Each API version gets an alias; a pinned version is honoured."
  }

  assert {
    condition     = output.release_aliases == [{ function = "faceauth-test-compare", alias = "v1", version = "3" }, { function = "faceauth-test-compare", alias = "v2", version = "1" }, { function = "faceauth-test-purge", alias = "live", version = "1" }]
    error_message = "After migrating, the pipeline points v1 at its pinned version, v2 and the purge's live alias at the versions this apply published."
  }
}

run "the_schedule_invokes_the_purge_through_its_live_alias" {
  command = plan

  assert {
    condition     = aws_lambda_alias.purge.name == "live" && aws_lambda_function_event_invoke_config.purge.qualifier == "live"
    error_message = "The purge is invoked through the alias the pipeline moves; its failure destination is set on that alias."
  }
}

run "least_privilege_per_function" {
  command = plan

  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.compare.statement : tolist(s.actions) if startswith(s.sid, "CompareAndDetect")])) == toset(["rekognition:CompareFaces", "rekognition:DetectFaces"])
    error_message = "compare may call only CompareFaces and DetectFaces."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.purge.statement : s.resources if s.sid == "DeleteImageVersions"]) == toset(["arn:aws:s3:::faceauth-test-images/captures/*", "arn:aws:s3:::faceauth-test-images/references/*"])
    error_message = "purge may delete only under the two image prefixes."
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.purge.statement : tolist(s.actions)]), "s3:GetObject")
    error_message = "purge never reads images."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.compare.statement : s.resources if s.sid == "ReadWriteImages"]) == toset(["arn:aws:s3:::faceauth-test-images/captures/*", "arn:aws:s3:::faceauth-test-images/references/*"])
    error_message = "compare reads and writes only the two image prefixes."
  }

  assert {
    condition     = alltrue([for doc in concat([data.aws_iam_policy_document.compare, data.aws_iam_policy_document.purge], values(data.aws_iam_policy_document.runtime)) : alltrue([for s in doc.statement : alltrue([for a in s.actions : !strcontains(a, "*")])])])
    error_message = "No statement may use a wildcard action."
  }

  assert {
    condition     = alltrue([for doc in values(data.aws_iam_policy_document.runtime) : one([for s in doc.statement : s.resources if s.sid == "ReadDatabaseSecret"]) == toset([var.database.secret_arn])])
    error_message = "Every function may read the database secret and nothing else in Secrets Manager."
  }
}

run "purge_failures_go_to_a_queue" {
  command = plan

  assert {
    condition     = aws_lambda_function_event_invoke_config.purge.maximum_retry_attempts == 2
    error_message = "A failed purge is retried twice before it goes to the queue."
  }

  assert {
    condition     = aws_sqs_queue.purge_failures.sqs_managed_sse_enabled == true
    error_message = "The failure queue is encrypted."
  }
}

run "rejects_a_compare_timeout_beyond_api_gateway" {
  command = plan

  variables {
    compare = { timeout = 60 }
  }

  expect_failures = [var.compare]
}

run "refuses_to_plan_without_built_artifacts" {
  command = plan

  variables {
    artifacts = {
      compare      = { filename = "compare.zip", source_code_hash = null }
      purge        = { filename = "purge.zip", source_code_hash = "cHVyZ2U=" }
      migrate      = { filename = "migrate.zip", source_code_hash = "bWlncmF0ZQ==" }
      common_layer = { filename = "common.zip", source_code_hash = "Y29tbW9u" }
      deps_layer   = { filename = "deps.zip", source_code_hash = "ZGVwcw==" }
    }
  }

  expect_failures = [aws_lambda_function.this]
}
