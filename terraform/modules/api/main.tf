data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # The routes of the v1 contract (functions/compare/routes.json), by "METHOD path".
  routes = { for route in var.routes : "${route.method} ${route.path}" => route }

  # Every path of a route and each path above it ("/users", "/users/{userId}", ...): one
  # API Gateway resource each, created depth by depth below (a resource names its parent).
  resource_paths = toset(flatten([
    for route in var.routes : [
      for depth in range(1, length(split("/", route.path))) : join("/", slice(split("/", route.path), 0, depth + 1))
    ]
  ]))
  resource_ids = merge(
    { for path, resource in aws_api_gateway_resource.depth1 : path => resource.id },
    { for path, resource in aws_api_gateway_resource.depth2 : path => resource.id },
    { for path, resource in aws_api_gateway_resource.depth3 : path => resource.id },
  )

  # Lambda proxy integration on the alias named by the stage: stage v1 invokes compare:v1.
  integration_uri = "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.region}:lambda:path/2015-03-31/functions/${var.function_arn}:$${stageVariables.lambdaAlias}/invocations"

  # CORS (none unless origins are given): a preflight answer on every path of a route, and the
  # CORS header on the gateway's own answers so a browser can read a 403 or 429.
  cors_paths = length(var.cors_allowed_origins) == 0 ? {} : {
    for path in distinct([for route in var.routes : route.path]) : path => sort(concat([for route in var.routes : route.method if route.path == path], ["OPTIONS"]))
  }
  cors_headers = "content-type,x-api-key,idempotency-key"
  # Gateway responses are not templates that can choose: one origin is named; with several,
  # the request's Origin is echoed (they carry no data; the function and the preflight still
  # answer only the listed origins).
  cors_gateway_response_headers = length(var.cors_allowed_origins) == 0 ? {} : {
    "gatewayresponse.header.Access-Control-Allow-Origin"   = length(var.cors_allowed_origins) == 1 ? "'${var.cors_allowed_origins[0]}'" : "method.request.header.Origin"
    "gatewayresponse.header.Access-Control-Expose-Headers" = "'retry-after'"
    "gatewayresponse.header.Vary"                          = "'Origin'"
  }

  # The selfie body's image, as the gateway's model bounds it: the base64 of the largest image
  # the function accepts, with a line break every 64 characters (CR LF, two characters: what
  # base64 tools and MIME encoders write, every 76 or 64) and a data URL prefix.
  image_base64_length = ceil(var.max_image_bytes / 3) * 4
  image_line_breaks   = ceil(local.image_base64_length / 64)
  image_max_length    = local.image_base64_length + 2 * local.image_line_breaks + length("data:image/jpeg;base64,")
  # The Lambda event such a body makes: its JSON is escaped once more inside the event (a
  # CR LF, 4 bytes in the body, takes 6), and the rest of the event (headers twice, the
  # request context) stays under 64 KiB. It must fit Lambda's 6 MB synchronous payload.
  largest_event_bytes        = local.image_base64_length + 6 * local.image_line_breaks + length("data:image/jpeg;base64,") + 65536
  lambda_payload_limit_bytes = 6291456

  # API Gateway's own answers, by response type, from the error table: the code's status and
  # message unless the entry gives its own (DEFAULT_4XX and DEFAULT_5XX keep the status of the
  # answer they stand for), and Retry-After where the code's retryAfter is a number.
  gateway_responses = {
    for type, response in var.error_table.gatewayResponses : type => {
      status      = contains(["DEFAULT_4XX", "DEFAULT_5XX"], type) ? null : coalesce(response.status, var.error_table.errors[response.code].status)
      code        = response.code
      message     = coalesce(response.message, var.error_table.errors[response.code].message)
      retry_after = can(tonumber(var.error_table.errors[response.code].retryAfter)) ? var.error_table.errors[response.code].retryAfter : null
    }
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

# Paths of one, two and three segments ("/users", "/users/{userId}", ".../registration").
resource "aws_api_gateway_resource" "depth1" {
  for_each = { for path in local.resource_paths : path => path if length(split("/", path)) == 2 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = basename(each.key)
}

resource "aws_api_gateway_resource" "depth2" {
  for_each = { for path in local.resource_paths : path => path if length(split("/", path)) == 3 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth1[dirname(each.key)].id
  path_part   = basename(each.key)
}

resource "aws_api_gateway_resource" "depth3" {
  for_each = { for path in local.resource_paths : path => path if length(split("/", path)) == 4 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth2[dirname(each.key)].id
  path_part   = basename(each.key)
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

# What the gateway checks in a selfie body before it invokes the function: one JSON object with
# no other field than image and livenessSessionId (each a string or null), the image no longer
# than the base64 of the largest image the function accepts. So a body between Lambda's 6 MB
# and API Gateway's 10 MB is refused here (400, BAD_REQUEST_BODY) instead of failing at the
# invoke as a 5xx. The function checks the rest (exactly one of the two, base64, the image).
resource "aws_api_gateway_model" "selfie" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "SelfieRequest"
  description  = "A selfie: image (base64) or livenessSessionId, nothing else"
  content_type = "application/json"
  schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "SelfieRequest"
    type                 = "object"
    additionalProperties = false
    properties = {
      image             = { type = ["string", "null"], maxLength = local.image_max_length }
      livenessSessionId = { type = ["string", "null"], pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" }
    }
  })

  lifecycle {
    precondition {
      condition     = local.largest_event_bytes <= local.lambda_payload_limit_bytes
      error_message = "Images of ${var.max_image_bytes} bytes make requests of up to ${local.largest_event_bytes} bytes as Lambda events, over Lambda's ${local.lambda_payload_limit_bytes}: lower max_image_bytes (4 MiB fits)."
    }
  }
}

resource "aws_api_gateway_method" "this" {
  #checkov:skip=CKV_AWS_59:Callers authenticate with API keys (api_key_required); only GET /health is open, on purpose, for load balancers and smoke tests.
  for_each = local.routes

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = local.resource_ids[each.value.path]
  http_method      = each.value.method
  authorization    = "NONE"
  api_key_required = each.value.apiKey

  # Each {name} of the path is a required path parameter.
  request_parameters   = { for name in regexall("[{]([^}/]+)[}]", each.value.path) : "method.request.path.${name[0]}" => true }
  request_validator_id = each.value.body ? aws_api_gateway_request_validator.parameters_and_body.id : aws_api_gateway_request_validator.parameters.id
  # $default: every body is checked, whatever its Content-Type says.
  request_models = each.value.body ? { "$default" = aws_api_gateway_model.selfie.name } : {}
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.resource_ids[each.value.path]
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
  status_code   = each.value.status == null ? null : tostring(each.value.status)

  response_templates = {
    "application/json" = jsonencode({ error = { code = each.value.code, message = each.value.message } })
  }

  response_parameters = merge(
    each.value.retry_after == null ? {} : { "gatewayresponse.header.Retry-After" = "'${each.value.retry_after}'" },
    local.cors_gateway_response_headers,
  )
}

################################################################################
# CORS preflights: OPTIONS on every path of a route, answered by API Gateway itself (MOCK)
# without an API key (browsers send none in a preflight); only a listed origin gets
# Access-Control-Allow-Origin back. Without origins there are none.
################################################################################

resource "aws_api_gateway_method" "preflight" {
  #checkov:skip=CKV_AWS_59:A CORS preflight carries no credentials by the standard; it answers with headers only and invokes nothing.
  #checkov:skip=CKV2_AWS_53:A preflight has no parameters or body to validate; API Gateway answers it itself (MOCK).
  for_each = local.cors_paths

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = local.resource_ids[each.key]
  http_method      = "OPTIONS"
  authorization    = "NONE"
  api_key_required = false
}

resource "aws_api_gateway_integration" "preflight" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.preflight[each.key].http_method
  type        = "MOCK"

  request_templates = {
    "application/json" = jsonencode({ statusCode = 204 })
  }
}

resource "aws_api_gateway_method_response" "preflight" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.preflight[each.key].http_method
  status_code = "204"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Origin"  = false
    "method.response.header.Access-Control-Allow-Methods" = false
    "method.response.header.Access-Control-Allow-Headers" = false
    "method.response.header.Access-Control-Max-Age"       = false
    "method.response.header.Vary"                         = false
  }
}

resource "aws_api_gateway_integration_response" "preflight" {
  for_each = local.cors_paths

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.preflight[each.key].http_method
  status_code = aws_api_gateway_method_response.preflight[each.key].status_code

  response_parameters = {
    "method.response.header.Access-Control-Allow-Methods" = "'${join(",", each.value)}'"
    "method.response.header.Access-Control-Allow-Headers" = "'${local.cors_headers}'"
    "method.response.header.Access-Control-Max-Age"       = "'${var.cors_max_age_seconds}'"
    "method.response.header.Vary"                         = "'Origin'"
  }

  # VTL: the request's Origin comes back only when it is one of the listed origins.
  response_templates = {
    "application/json" = <<-EOT
      #set($allowed = [${join(", ", [for origin in var.cors_allowed_origins : "\"${origin}\""])}])
      #set($origin = $input.params().header.get('Origin'))
      #if("$!origin" == "")#set($origin = $input.params().header.get('origin'))#end
      #if($allowed.contains($origin))#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end
    EOT
  }

  depends_on = [aws_api_gateway_integration.preflight]
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
      aws_api_gateway_resource.depth1,
      aws_api_gateway_resource.depth2,
      aws_api_gateway_resource.depth3,
      aws_api_gateway_request_validator.parameters,
      aws_api_gateway_request_validator.parameters_and_body,
      aws_api_gateway_model.selfie,
      aws_api_gateway_method.this,
      aws_api_gateway_integration.this,
      aws_api_gateway_gateway_response.this,
      aws_api_gateway_method.preflight,
      aws_api_gateway_integration.preflight,
      aws_api_gateway_method_response.preflight,
      aws_api_gateway_integration_response.preflight,
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
