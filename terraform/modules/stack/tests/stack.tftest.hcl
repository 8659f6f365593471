# Plan-only tests of the composition with a mocked AWS provider. Every child module but
# monitoring is overridden with fixed outputs: the modules have their own tests, this file
# checks the names, tags, artifact paths, the alarms' wiring and the outputs the pipeline
# reads. No build needed.

mock_provider "aws" {}

override_module {
  target = module.observability_key
  outputs = {
    key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  }
}

override_module {
  target = module.network
  outputs = {
    private_subnet_ids         = ["subnet-0000000000000000a", "subnet-0000000000000000b"]
    lambda_security_group_id   = "sg-0000000000000000a"
    database_security_group_id = "sg-0000000000000000b"
  }
}

override_module {
  target = module.database
  outputs = {
    endpoint_address       = "faceauth-test.proxy.eu-west-1.rds.amazonaws.com"
    port                   = 3306
    database_name          = "faceauth"
    instance_identifier    = "faceauth-test"
    master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:faceauth-test" # pragma: allowlist secret
    kms_key_arn            = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000001"
  }
}

override_module {
  target = module.storage
  outputs = {
    bucket_name = "faceauth-test-images"
    bucket_arn  = "arn:aws:s3:::faceauth-test-images"
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000002"
  }
}

override_module {
  target = module.functions
  outputs = {
    function_names           = { compare = "faceauth-test-compare", purge = "faceauth-test-purge", migrate = "faceauth-test-migrate" }
    compare_function_name    = "faceauth-test-compare"
    compare_function_arn     = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test-compare"
    compare_alias_names      = { v1 = "v1" }
    purge_alias_arn          = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test-purge:live"
    release_aliases          = [{ function = "faceauth-test-compare", alias = "v1", version = "7" }, { function = "faceauth-test-purge", alias = "live", version = "4" }]
    purge_failure_queue_name = "faceauth-test-purge-failures"
    migrate_function_name    = "faceauth-test-migrate"
    setting_values           = { FACEAUTH_PASS_RETENTION_DAYS = "3", FACEAUTH_FAIL_RETENTION_DAYS = "28" }
  }
}

override_module {
  target = module.api
  outputs = {
    rest_api_name = "faceauth-test"
    invoke_urls   = { v1 = "https://example.execute-api.eu-west-1.amazonaws.com/v1" }
    api_key_ids   = { mobile-app = "abcdef1234" }
  }
}

override_module {
  target = module.schedule
  outputs = {
    dlq_name = "faceauth-test-purge-schedule-dlq"
  }
}

# module.monitoring is planned for real (with the mocked provider): the wiring test below
# reads the alarms it makes from the other modules' outputs.

variables {
  environment = "dev"
  build_dir   = "no-build-here"
  tags = {
    Owner = "faceauth-team"
  }
}

run "names_and_tags_derive_from_the_environment" {
  command = plan

  assert {
    condition     = local.name == "faceauth-dev"
    error_message = "Resources are named faceauth-<environment>."
  }

  assert {
    condition     = local.tags == { Owner = "faceauth-team", Project = "faceauth", Environment = "dev", ManagedBy = "terraform" }
    error_message = "Every resource gets the caller's tags plus Project, Environment and ManagedBy."
  }
}

run "artifacts_come_from_the_build_dir_and_a_missing_zip_has_no_hash" {
  command = plan

  assert {
    condition     = local.artifacts.compare.filename == "no-build-here/functions/compare.zip" && local.artifacts.deps_layer.filename == "no-build-here/layers/deps.zip"
    error_message = "The zips are read from build_dir."
  }

  assert {
    condition     = alltrue([for artifact in values(local.artifacts) : artifact.source_code_hash == null])
    error_message = "A missing zip gives a null hash (the functions module's precondition stops the plan)."
  }
}

run "outputs_the_pipeline_reads_come_from_the_modules" {
  command = plan

  assert {
    condition     = output.migrate_function_name == "faceauth-test-migrate" && output.database_endpoint == "faceauth-test.proxy.eu-west-1.rds.amazonaws.com"
    error_message = "The migrate function and the database endpoint are passed through."
  }

  assert {
    condition     = output.api_invoke_urls == { v1 = "https://example.execute-api.eu-west-1.amazonaws.com/v1" } && output.api_key_ids == { mobile-app = "abcdef1234" }
    error_message = "The smoke test's URL and key ids are passed through."
  }

  assert {
    condition     = output.release_aliases == module.functions.release_aliases
    error_message = "The aliases the pipeline moves after migrating are passed through."
  }
}

run "every_function_and_queue_of_the_stack_has_its_alarms" {
  command = plan

  assert {
    condition     = alltrue([for name in values(module.functions.function_names) : contains(module.monitoring.alarm_names, "${name}-errors") && contains(module.monitoring.alarm_names, "${name}-throttles")])
    error_message = "monitoring gets every function of the functions module: each has an errors and a throttles alarm."
  }

  assert {
    condition     = contains(module.monitoring.alarm_names, "faceauth-test-purge-failures-depth") && contains(module.monitoring.alarm_names, "faceauth-test-purge-schedule-dlq-depth")
    error_message = "Both dead-letter queues have a depth alarm."
  }
}

run "only_dev_and_prod_are_environments" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}
