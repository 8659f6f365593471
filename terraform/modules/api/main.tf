data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Every route of the v1 contract. Only the health check is callable without an API key.
  routes = {
    "POST /users/{userId}/registration"   = { resource = "registration", method = "POST", api_key_required = true, has_body = true }
    "PUT /users/{userId}/registration"    = { resource = "registration", method = "PUT", api_key_required = true, has_body = true }
    "DELETE /users/{userId}/registration" = { resource = "registration", method = "DELETE", api_key_required = true, has_body = false }
    "POST /users/{userId}/verification"   = { resource = "verification", method = "POST", api_key_required = true, has_body = true }
    "GET /users/{userId}"                 = { resource = "user", method = "GET", api_key_required = true, has_body = false }
    "GET /health"                         = { resource = "health", method = "GET", api_key_required = false, has_body = false }
  }

  resource_ids = {
    user         = aws_api_gateway_resource.user.id
    registration = aws_api_gateway_resource.registration.id
    verification = aws_api_gateway_resource.verification.id
    health       = aws_api_gateway_resource.health.id
  }

  # Lambda proxy integration on the alias named by the stage: stage v1 invokes compare:v1.
  integration_uri = "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.region}:lambda:path/2015-03-31/functions/${var.function_arn}:$${stageVariables.lambdaAlias}/invocations"

  # API Gateway's own errors, in the same {"error": {"code", "message"}} shape as the function's.
  gateway_responses = {
    INVALID_API_KEY              = { status = "403", code = "FORBIDDEN", message = "A valid API key is required." }
    ACCESS_DENIED                = { status = "403", code = "FORBIDDEN", message = "Access denied." }
    WAF_FILTERED                 = { status = "403", code = "FORBIDDEN", message = "Access denied." }
    MISSING_AUTHENTICATION_TOKEN = { status = "404", code = "NOT_FOUND", message = "No such route." }
    THROTTLED                    = { status = "429", code = "THROTTLED", message = "Too many requests; retry later." }
    QUOTA_EXCEEDED               = { status = "429", code = "QUOTA_EXCEEDED", message = "The API key's quota is used up." }
    BAD_REQUEST_BODY             = { status = "400", code = "INVALID_REQUEST", message = "The request body is not valid." }
    BAD_REQUEST_PARAMETERS       = { status = "400", code = "INVALID_REQUEST", message = "The request parameters are not valid." }
    REQUEST_TOO_LARGE            = { status = "413", code = "IMAGE_TOO_LARGE", message = "The request is too large." }
    UNSUPPORTED_MEDIA_TYPE       = { status = "415", code = "UNSUPPORTED_MEDIA_TYPE", message = "Send application/json." }
    INTEGRATION_FAILURE          = { status = "502", code = "DEPENDENCY_UNAVAILABLE", message = "The service is unavailable; retry later." }
    INTEGRATION_TIMEOUT          = { status = "504", code = "DEPENDENCY_UNAVAILABLE", message = "The service timed out; retry later." }
    DEFAULT_4XX                  = { status = null, code = "INVALID_REQUEST", message = "The request could not be processed." }
    DEFAULT_5XX                  = { status = null, code = "INTERNAL_ERROR", message = "Internal error." }
  }

  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    requestTime        = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    status             = "$context.status"
    protocol           = "$context.protocol"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integration.latency"
    integrationStatus  = "$context.integration.status"
    errorMessage       = "$context.error.message"
    errorResponseType  = "$context.error.responseType"
    apiKeyId           = "$context.identity.apiKeyId"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    xrayTraceId        = "$context.xrayTraceId"
    stage              = "$context.stage"
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name                         = var.name
  description                  = "faceauth: log users in with a selfie"
  api_key_source               = "HEADER"
  disable_execute_api_endpoint = false

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Routes
################################################################################

resource "aws_api_gateway_resource" "users" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "users"
}

resource "aws_api_gateway_resource" "user" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.users.id
  path_part   = "{userId}"
}

resource "aws_api_gateway_resource" "registration" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.user.id
  path_part   = "registration"
}

resource "aws_api_gateway_resource" "verification" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.user.id
  path_part   = "verification"
}

resource "aws_api_gateway_resource" "health" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "health"
}

resource "aws_api_gateway_request_validator" "parameters" {
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "parameters"
  validate_request_parameters = true
  validate_request_body       = false
}

resource "aws_api_gateway_request_validator" "parameters_and_body" {
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "parameters-and-body"
  validate_request_parameters = true
  validate_request_body       = true
}

# The function validates fields and image size; the gateway only rejects bodies that are not JSON objects.
resource "aws_api_gateway_model" "json_object" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "JsonObject"
  description  = "Any JSON object"
  content_type = "application/json"
  schema = jsonencode({
    "$schema" = "http://json-schema.org/draft-04/schema#"
    title     = "JsonObject"
    type      = "object"
  })
}

resource "aws_api_gateway_method" "this" {
  #checkov:skip=CKV_AWS_59:Callers authenticate with API keys (api_key_required); only GET /health is open, on purpose, for load balancers and smoke tests.
  for_each = local.routes

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = local.resource_ids[each.value.resource]
  http_method      = each.value.method
  authorization    = "NONE"
  api_key_required = each.value.api_key_required

  request_parameters   = each.value.resource == "health" ? {} : { "method.request.path.userId" = true }
  request_validator_id = each.value.has_body ? aws_api_gateway_request_validator.parameters_and_body.id : aws_api_gateway_request_validator.parameters.id
  request_models       = each.value.has_body ? { "application/json" = aws_api_gateway_model.json_object.name } : {}
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.resource_ids[each.value.resource]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.integration_uri
  timeout_milliseconds    = 29000
}

resource "aws_lambda_permission" "api" {
  for_each = var.stage_aliases

  statement_id  = "AllowApiGatewayStage-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = each.value
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${each.key}/*/*"
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = each.value.status

  response_templates = {
    "application/json" = jsonencode({ error = { code = each.value.code, message = each.value.message } })
  }
}

################################################################################
# Deployment and one stage per API version
################################################################################

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "faceauth ${var.name}"

  # Redeploy whenever anything that shapes the API changes.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.users,
      aws_api_gateway_resource.user,
      aws_api_gateway_resource.registration,
      aws_api_gateway_resource.verification,
      aws_api_gateway_resource.health,
      aws_api_gateway_request_validator.parameters,
      aws_api_gateway_request_validator.parameters_and_body,
      aws_api_gateway_model.json_object,
      aws_api_gateway_method.this,
      aws_api_gateway_integration.this,
      aws_api_gateway_gateway_response.this,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment (var.log_retention_days); access logs hold no images or face data.
  for_each = var.stage_aliases

  name              = "/aws/apigateway/${var.name}/${each.key}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

# Created here so the execution logs API Gateway writes get retention and encryption too.
resource "aws_cloudwatch_log_group" "execution" {
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment (var.log_retention_days); execution logs are at ERROR level only.
  for_each = var.stage_aliases

  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Responses are per user and per request; caching them would be wrong.
  #checkov:skip=CKV2_AWS_51:The backend is Lambda (AWS_PROXY), which cannot verify API Gateway client certificates.
  #checkov:skip=CKV2_AWS_77:WAF is optional (var.web_acl_arn); the rule set of the associated web ACL is owned by the account's security setup.
  #checkov:skip=CKV2_AWS_29:WAF is optional (var.web_acl_arn): the web ACL is owned by the account's security setup and associated when given.
  for_each = var.stage_aliases

  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = each.key
  description          = "API ${each.key}: invokes the compare alias ${each.value}"
  xray_tracing_enabled = true

  variables = {
    lambdaAlias = each.value
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access[each.key].arn
    format          = local.access_log_format
  }

  tags = var.tags

  depends_on = [aws_api_gateway_account.this, data.aws_iam_role.account_logging, aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "this" {
  #checkov:skip=CKV_AWS_225:Responses are per user and per request; caching them would be wrong.
  for_each = var.stage_aliases

  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this[each.key].stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.execution_logging_level
    data_trace_enabled     = false # request bodies carry face images
    caching_enabled        = false
    throttling_burst_limit = var.stage_throttle.burst_limit
    throttling_rate_limit  = var.stage_throttle.rate_limit
  }

  # AWS refuses execution logging at apply time when the account has no CloudWatch Logs role.
  lifecycle {
    precondition {
      condition     = var.execution_logging_level == "OFF" || var.manage_account_logging_role || var.account_logging_role_arn != null
      error_message = "API Gateway execution logging needs the account-level CloudWatch Logs role (aws_api_gateway_account): set manage_account_logging_role = true to create it here, account_logging_role_arn to the role another stack set up, or execution_logging_level = \"OFF\"."
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  for_each = var.web_acl_arn == null ? {} : var.stage_aliases

  resource_arn = aws_api_gateway_stage.this[each.key].arn
  web_acl_arn  = var.web_acl_arn
}

################################################################################
# API keys and usage plan
################################################################################

resource "aws_api_gateway_usage_plan" "this" {
  name        = var.name
  description = "faceauth clients: throttling and daily quota per API key"

  dynamic "api_stages" {
    for_each = var.stage_aliases

    content {
      api_id = aws_api_gateway_rest_api.this.id
      stage  = aws_api_gateway_stage.this[api_stages.key].stage_name
    }
  }

  throttle_settings {
    burst_limit = var.usage_plan.burst_limit
    rate_limit  = var.usage_plan.rate_limit
  }

  quota_settings {
    limit  = var.usage_plan.quota_limit
    period = var.usage_plan.quota_period
  }

  tags = var.tags
}

resource "aws_api_gateway_api_key" "this" {
  for_each = var.api_key_clients

  name        = "${var.name}-${each.key}"
  description = "faceauth API key of client ${each.key}"
  enabled     = true

  tags = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  for_each = var.api_key_clients

  key_id        = aws_api_gateway_api_key.this[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this.id
}

################################################################################
# Account-wide role that lets API Gateway write logs (one per account and region)
################################################################################

data "aws_iam_policy_document" "cloudwatch_assume" {
  count = var.manage_account_logging_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  name               = "${var.name}-apigateway-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.cloudwatch_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

# The role another stack set up: a data source, so that a wrong ARN fails the plan.
data "aws_iam_role" "account_logging" {
  count = !var.manage_account_logging_role && var.account_logging_role_arn != null ? 1 : 0

  name = element(split("/", var.account_logging_role_arn), length(split("/", var.account_logging_role_arn)) - 1)
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_account_logging_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.cloudwatch]
}
