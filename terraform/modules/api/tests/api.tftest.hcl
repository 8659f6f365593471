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

  mock_resource "aws_api_gateway_rest_api" {
    defaults = {
      arn              = "arn:aws:apigateway:eu-west-1::/restapis/abc123"
      execution_arn    = "arn:aws:execute-api:eu-west-1:111122223333:abc123"
      id               = "abc123"
      root_resource_id = "root00"
    }
  }

  mock_resource "aws_api_gateway_stage" {
    defaults = {
      arn        = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
      invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
    }
  }
}

variables {
  name            = "faceauth-test"
  function_name   = "faceauth-test-compare"
  function_arn    = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test-compare"
  log_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}

run "every_route_but_health_requires_an_api_key" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_method.this) == 6
    error_message = "The v1 contract has six routes."
  }

  assert {
    condition     = alltrue([for route, method in aws_api_gateway_method.this : method.api_key_required == (route != "GET /health")])
    error_message = "Every route but GET /health must require an API key."
  }

  assert {
    condition     = alltrue([for route, integration in aws_api_gateway_integration.this : integration.type == "AWS_PROXY" && strcontains(integration.uri, ":$${stageVariables.lambdaAlias}/invocations")])
    error_message = "Every route proxies to the compare alias selected by the stage variable."
  }
}

run "one_stage_per_version_invokes_its_alias" {
  command = plan

  variables {
    stage_aliases = { v1 = "v1", v2 = "v2" }
  }

  assert {
    condition     = toset(keys(aws_api_gateway_stage.this)) == toset(["v1", "v2"])
    error_message = "One stage per API version."
  }

  assert {
    condition     = alltrue([for version, stage in aws_api_gateway_stage.this : stage.variables["lambdaAlias"] == version && stage.xray_tracing_enabled])
    error_message = "Stage vN sets lambdaAlias = vN and traces requests."
  }

  assert {
    condition     = alltrue([for version, permission in aws_lambda_permission.api : permission.qualifier == version && permission.principal == "apigateway.amazonaws.com"])
    error_message = "API Gateway may invoke each alias."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan.this.api_stages) == 2
    error_message = "The usage plan covers every stage."
  }
}

run "usage_plan_throttles_and_keys_exist" {
  command = plan

  variables {
    api_key_clients = ["mobile-app", "smoke-test"]
  }

  assert {
    condition     = aws_api_gateway_usage_plan.this.throttle_settings[0].rate_limit == 20 && aws_api_gateway_usage_plan.this.quota_settings[0].period == "DAY"
    error_message = "The usage plan throttles and has a daily quota."
  }

  assert {
    condition     = length(aws_api_gateway_api_key.this) == 2 && length(aws_api_gateway_usage_plan_key.this) == 2
    error_message = "Each client gets a key on the usage plan."
  }
}

run "gateway_errors_use_the_json_error_shape" {
  command = plan

  assert {
    condition     = aws_api_gateway_gateway_response.this["INVALID_API_KEY"].status_code == "403" && aws_api_gateway_gateway_response.this["THROTTLED"].status_code == "429"
    error_message = "Missing keys answer 403 and throttling 429."
  }

  assert {
    condition     = jsondecode(aws_api_gateway_gateway_response.this["QUOTA_EXCEEDED"].response_templates["application/json"]).error.code == "QUOTA_EXCEEDED"
    error_message = "Gateway errors use {\"error\": {\"code\", \"message\"}}."
  }

  assert {
    condition     = alltrue([for t in ["ACCESS_DENIED", "DEFAULT_4XX", "DEFAULT_5XX"] : contains(keys(aws_api_gateway_gateway_response.this), t)])
    error_message = "ACCESS_DENIED, DEFAULT_4XX and DEFAULT_5XX are customised too."
  }
}

run "stages_log_json_and_never_log_bodies" {
  command = plan

  assert {
    condition     = can(jsondecode(aws_api_gateway_stage.this["v1"].access_log_settings[0].format))
    error_message = "Access logs are JSON."
  }

  assert {
    condition     = aws_api_gateway_method_settings.this["v1"].settings[0].data_trace_enabled == false && aws_api_gateway_method_settings.this["v1"].settings[0].metrics_enabled
    error_message = "Request bodies carry face images: never log them."
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 0
    error_message = "No WAF association unless a web ACL is given."
  }
}

run "associates_a_given_web_acl" {
  command = plan

  variables {
    web_acl_arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/faceauth/0000"
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 1
    error_message = "Every stage is associated with the web ACL."
  }
}

run "creates_the_account_logging_role_by_default" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_account.this) == 1 && aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.cloudwatch[0].arn
    error_message = "The account's API Gateway settings point at the CloudWatch Logs role the module creates."
  }

  assert {
    condition     = aws_api_gateway_method_settings.this["v1"].settings[0].logging_level == "ERROR"
    error_message = "Execution logs are written at ERROR level by default."
  }
}

run "execution_logging_without_the_account_role_fails_at_plan" {
  command = plan

  variables {
    manage_account_logging_role = false
  }

  expect_failures = [aws_api_gateway_method_settings.this]
}

run "an_account_role_owned_elsewhere_is_looked_up_not_created" {
  command = plan

  variables {
    manage_account_logging_role = false
    account_logging_role_arn    = "arn:aws:iam::111122223333:role/service/apigateway-cloudwatch"
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && data.aws_iam_role.account_logging[0].name == "apigateway-cloudwatch"
    error_message = "The module looks the given role up instead of creating one."
  }
}

run "execution_logging_off_needs_no_account_role" {
  command = plan

  variables {
    manage_account_logging_role = false
    execution_logging_level     = "OFF"
  }

  assert {
    condition     = aws_api_gateway_method_settings.this["v1"].settings[0].logging_level == "OFF" && length(aws_api_gateway_account.this) == 0
    error_message = "With execution logging off, nothing needs the account role."
  }
}
