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
  # The contract as the stack reads it (paths from this module's folder).
  routes      = jsondecode(file("../../../functions/compare/routes.json")).routes
  error_table = jsondecode(file("../../../functions/compare/error_codes.json"))

  name            = "faceauth-test"
  function_name   = "faceauth-test-compare"
  function_arn    = "arn:aws:lambda:eu-west-1:111122223333:function:faceauth-test-compare"
  log_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}

run "every_route_of_the_contract_has_its_method_and_all_but_health_need_a_key" {
  command = plan

  assert {
    condition     = toset(keys(aws_api_gateway_method.this)) == toset(["POST /users/{userId}/registration", "PUT /users/{userId}/registration", "DELETE /users/{userId}/registration", "POST /users/{userId}/verification", "POST /users/{userId}/liveness-sessions", "GET /users/{userId}", "GET /health"])
    error_message = "The v1 contract has seven routes, the liveness sessions among them."
  }

  assert {
    condition     = alltrue([for route, method in aws_api_gateway_method.this : method.api_key_required == (route != "GET /health")])
    error_message = "Every route but GET /health must require an API key."
  }

  assert {
    condition     = alltrue([for route, method in aws_api_gateway_method.this : method.request_parameters == (route == "GET /health" ? {} : { "method.request.path.userId" = true })])
    error_message = "Every route under /users/{userId} requires the userId path parameter; health has none."
  }

  assert {
    condition     = toset(keys(aws_api_gateway_resource.depth1)) == toset(["/users", "/health"]) && toset(keys(aws_api_gateway_resource.depth2)) == toset(["/users/{userId}"]) && toset(keys(aws_api_gateway_resource.depth3)) == toset(["/users/{userId}/registration", "/users/{userId}/verification", "/users/{userId}/liveness-sessions"])
    error_message = "One resource per path of the routes and each path above it."
  }

  assert {
    condition     = aws_api_gateway_resource.depth3["/users/{userId}/liveness-sessions"].path_part == "liveness-sessions" && aws_api_gateway_resource.depth2["/users/{userId}"].path_part == "{userId}"
    error_message = "Each resource is named by its last segment."
  }

  assert {
    condition     = alltrue([for route, integration in aws_api_gateway_integration.this : integration.type == "AWS_PROXY" && strcontains(integration.uri, ":$${stageVariables.lambdaAlias}/invocations")])
    error_message = "Every route proxies to the compare alias selected by the stage variable."
  }
}

run "rejects_a_route_deeper_than_three_segments" {
  command = plan

  variables {
    routes = [{ method = "GET", path = "/users/{userId}/runs/{runId}", apiKey = true, body = false }]
  }

  expect_failures = [var.routes]
}

# The selfie body's model (issue 10): an object of image and livenessSessionId only, the image
# bounded so a body over Lambda's 6 MB never reaches the invoke, a 4 MB image still fits.
run "selfie_bodies_are_checked_by_the_gateway_against_the_model" {
  command = plan

  assert {
    condition     = alltrue([for route, method in aws_api_gateway_method.this : method.request_models == (contains(["POST /users/{userId}/registration", "PUT /users/{userId}/registration", "POST /users/{userId}/verification"], route) ? { "$default" = "SelfieRequest" } : {})])
    error_message = "POST and PUT registration and POST verification validate their body against SelfieRequest, whatever its Content-Type; the others take no body."
  }

  assert {
    condition     = alltrue([for route, method in aws_api_gateway_method.this : method.request_validator_id == (contains(["POST /users/{userId}/registration", "PUT /users/{userId}/registration", "POST /users/{userId}/verification"], route) ? aws_api_gateway_request_validator.parameters_and_body.id : aws_api_gateway_request_validator.parameters.id)])
    error_message = "The routes with a body are validated by the parameters-and-body validator."
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).type == "object" && jsondecode(aws_api_gateway_model.selfie.schema).additionalProperties == false && toset(keys(jsondecode(aws_api_gateway_model.selfie.schema).properties)) == toset(["image", "livenessSessionId"])
    error_message = "A selfie body is a JSON object with image and livenessSessionId only."
  }

  assert {
    condition     = can(regex(jsondecode(aws_api_gateway_model.selfie.schema).properties.livenessSessionId.pattern, "6a8b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d")) && !can(regex(jsondecode(aws_api_gateway_model.selfie.schema).properties.livenessSessionId.pattern, "6a8b1c2d"))
    error_message = "livenessSessionId is a UUID."
  }
}

run "the_image_bound_keeps_a_4_mb_image_and_refuses_what_lambda_cannot_take" {
  command = plan

  # 4 MiB in base64: 5,592,408 characters.
  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).properties.image.maxLength >= 5592408 + 2 * ceil(5592408 / 76) + length("data:image/jpeg;base64,")
    error_message = "A 4 MiB image in base64 with CR LF every 76 characters (MIME) and a data URL prefix is accepted."
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).properties.image.maxLength >= 5592408 + ceil(5592408 / 64) + length("data:image/png;base64,")
    error_message = "A 4 MiB image in base64 with LF every 64 characters (PEM) and a data URL prefix is accepted."
  }

  # The longest image the model admits, its line breaks escaped twice (body, then event), plus
  # 64 KiB for the rest of the event, stays under Lambda's 6 MiB synchronous payload.
  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).properties.image.maxLength + 4 * ceil(5592408 / 64) + 65536 <= 6291456
    error_message = "A body the model lets through fits Lambda's 6 MB event."
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).properties.image.maxLength == 5767195
    error_message = "The bound for 4 MiB: 5,592,408 base64 characters, 87,382 CR LF pairs and 23 for the prefix."
  }
}

run "the_image_bound_follows_the_functions_image_limit" {
  command = plan

  variables {
    max_image_bytes = 1048576
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.selfie.schema).properties.image.maxLength == 1398104 + 2 * 21846 + 23
    error_message = "1 MiB images: 1,398,104 base64 characters, 21,846 line breaks, the prefix."
  }
}

run "refuses_an_image_limit_whose_requests_lambda_cannot_take" {
  command = plan

  variables {
    max_image_bytes = 5242880
  }

  expect_failures = [aws_api_gateway_model.selfie]
}

# CORS (issue 10): configuration, none by default.
run "without_origins_there_is_no_cors_at_all" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_method.preflight) == 0 && length(aws_api_gateway_integration_response.preflight) == 0
    error_message = "No origins, no OPTIONS methods."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.this : !contains(keys(response.response_parameters), "gatewayresponse.header.Access-Control-Allow-Origin")])
    error_message = "No origins, no CORS header on the gateway's answers."
  }
}

run "an_origin_gets_preflights_without_a_key_on_every_resource" {
  command = plan

  variables {
    cors_allowed_origins = ["https://app.example.com"]
  }

  assert {
    condition     = toset(keys(aws_api_gateway_method.preflight)) == toset(["/users/{userId}/registration", "/users/{userId}/verification", "/users/{userId}/liveness-sessions", "/users/{userId}", "/health"])
    error_message = "Every resource with a route has an OPTIONS method."
  }

  assert {
    condition     = alltrue([for method in aws_api_gateway_method.preflight : method.http_method == "OPTIONS" && method.api_key_required == false && method.authorization == "NONE"])
    error_message = "Preflights need no API key: browsers send none."
  }

  assert {
    condition     = alltrue([for integration in aws_api_gateway_integration.preflight : integration.type == "MOCK"])
    error_message = "API Gateway answers preflights itself; they never invoke the function."
  }

  assert {
    condition     = aws_api_gateway_integration_response.preflight["/users/{userId}/registration"].response_parameters["method.response.header.Access-Control-Allow-Methods"] == "'DELETE,OPTIONS,POST,PUT'" && aws_api_gateway_integration_response.preflight["/users/{userId}"].response_parameters["method.response.header.Access-Control-Allow-Methods"] == "'GET,OPTIONS'"
    error_message = "Each preflight allows the methods of its resource."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_integration_response.preflight : response.response_parameters["method.response.header.Access-Control-Allow-Headers"] == "'content-type,x-api-key,idempotency-key'" && response.response_parameters["method.response.header.Access-Control-Max-Age"] == "'600'"])
    error_message = "Preflights allow content-type, x-api-key and idempotency-key, cached 600 s."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_integration_response.preflight : strcontains(response.response_templates["application/json"], "#set($allowed = [\"https://app.example.com\"])") && strcontains(response.response_templates["application/json"], "#if($allowed.contains($origin))#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end")])
    error_message = "Only a listed origin gets Access-Control-Allow-Origin back from a preflight."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_integration_response.preflight : !contains(keys(response.response_parameters), "method.response.header.Access-Control-Allow-Origin")])
    error_message = "The origin header is never static on a preflight: the template sets it for listed origins only."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.this : response.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://app.example.com'" && response.response_parameters["gatewayresponse.header.Access-Control-Expose-Headers"] == "'retry-after'"])
    error_message = "The gateway's own answers (403, 429, ...) carry the origin, and expose Retry-After, so the browser can read them."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.this["THROTTLED"].response_parameters["gatewayresponse.header.Retry-After"] == "'1'"
    error_message = "CORS headers come on top of Retry-After."
  }
}

run "several_origins_are_all_listed_and_echoed_on_gateway_answers" {
  command = plan

  variables {
    cors_allowed_origins = ["https://app.example.com", "http://localhost:8080"]
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_integration_response.preflight : strcontains(response.response_templates["application/json"], "#set($allowed = [\"https://app.example.com\", \"http://localhost:8080\"])")])
    error_message = "The preflight knows every listed origin."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.this : response.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.Origin" && response.response_parameters["gatewayresponse.header.Vary"] == "'Origin'"])
    error_message = "With several origins, a gateway answer names the request's origin (and varies by it)."
  }
}

run "rejects_a_wildcard_or_an_origin_with_a_path" {
  command = plan

  variables {
    cors_allowed_origins = ["*", "https://app.example.com/"]
  }

  expect_failures = [var.cors_allowed_origins]
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

# Every gateway response is its row of the error table, read here straight from the file:
# status (the entry's, else its code's; DEFAULT_4XX/5XX keep theirs), code, message (the
# entry's, else its code's) and Retry-After where the code's retryAfter is a number.
run "every_gateway_response_matches_the_error_table" {
  command = plan

  assert {
    condition     = toset(keys(aws_api_gateway_gateway_response.this)) == toset(keys(jsondecode(file("../../../functions/compare/error_codes.json")).gatewayResponses))
    error_message = "One gateway response per response type of the table."
  }

  assert {
    condition = alltrue([
      for type, row in jsondecode(file("../../../functions/compare/error_codes.json")).gatewayResponses :
      aws_api_gateway_gateway_response.this[type].status_code == (contains(["DEFAULT_4XX", "DEFAULT_5XX"], type) ? null : tostring(lookup(row, "status", jsondecode(file("../../../functions/compare/error_codes.json")).errors[row.code].status)))
    ])
    error_message = "Each gateway response has the status of its row (or its code's)."
  }

  assert {
    condition = alltrue([
      for type, row in jsondecode(file("../../../functions/compare/error_codes.json")).gatewayResponses :
      jsondecode(aws_api_gateway_gateway_response.this[type].response_templates["application/json"]) == { error = { code = row.code, message = lookup(row, "message", jsondecode(file("../../../functions/compare/error_codes.json")).errors[row.code].message) } }
    ])
    error_message = "Each gateway response answers {\"error\": {\"code\", \"message\"}} with its row's code and message."
  }

  assert {
    condition = alltrue([
      for type, row in jsondecode(file("../../../functions/compare/error_codes.json")).gatewayResponses :
      try(aws_api_gateway_gateway_response.this[type].response_parameters["gatewayresponse.header.Retry-After"], null) == try(format("'%d'", jsondecode(file("../../../functions/compare/error_codes.json")).errors[row.code].retryAfter), null)
    ])
    error_message = "Retry-After is sent exactly where the code's retryAfter is a number of seconds."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.this["THROTTLED"].status_code == "429" && aws_api_gateway_gateway_response.this["THROTTLED"].response_parameters["gatewayresponse.header.Retry-After"] == "'1'" && aws_api_gateway_gateway_response.this["INVALID_API_KEY"].status_code == "403"
    error_message = "Throttling answers 429 with Retry-After: 1; a missing key 403."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.this["DEFAULT_4XX"].status_code == null && aws_api_gateway_gateway_response.this["INTEGRATION_TIMEOUT"].status_code == "504"
    error_message = "DEFAULT_4XX keeps the status it stands for; an integration timeout is 504."
  }
}

run "rejects_a_gateway_response_with_a_code_not_in_the_table" {
  command = plan

  variables {
    error_table = {
      errors           = { THROTTLED = { status = 429, message = "Too many requests.", retryAfter = 1 } }
      gatewayResponses = { THROTTLED = { code = "SLOW_DOWN" } }
    }
  }

  expect_failures = [var.error_table]
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
