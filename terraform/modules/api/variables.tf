variable "name" {
  description = "Name of the REST API and prefix of its companions, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_name" {
  description = "Name of the compare function the routes invoke."
  type        = string
}

variable "function_arn" {
  description = "Unqualified ARN of the compare function; each stage appends its alias through the lambdaAlias stage variable."
  type        = string
}

variable "routes" {
  description = "The routes of the API (functions/compare/routes.json, read by the stack): method, path (at most three segments, {name} for a path parameter), whether the caller needs an API key, and whether the method takes the JSON selfie body (validated by the gateway)."
  type = list(object({
    method = string
    path   = string
    apiKey = bool
    body   = bool
  }))

  validation {
    condition     = alltrue([for route in var.routes : contains(["GET", "POST", "PUT", "DELETE", "PATCH"], route.method) && can(regex("^(/([a-z][a-z-]*|[{][A-Za-z]+[}])){1,3}$", route.path))])
    error_message = "Each route is GET, POST, PUT, DELETE or PATCH on a path of one to three segments, each lowercase words or a {parameter}."
  }

  validation {
    condition     = length(distinct([for route in var.routes : "${route.method} ${route.path}"])) == length(var.routes)
    error_message = "Each method and path appears once."
  }
}

variable "error_table" {
  description = "The API's error table (functions/compare/error_codes.json, read by the stack): each code's status, message and Retry-After (seconds, \"computed\" or null), and API Gateway's own answers by response type (a code, and a status or message where they differ from the code's)."
  type = object({
    errors = map(object({
      status     = number
      message    = string
      retryAfter = optional(string)
    }))
    gatewayResponses = map(object({
      code    = string
      status  = optional(number)
      message = optional(string)
    }))
  })

  validation {
    condition     = alltrue([for response in values(var.error_table.gatewayResponses) : contains(keys(var.error_table.errors), response.code)])
    error_message = "Every gateway response answers with a code of the table's errors."
  }

  validation {
    condition     = alltrue([for type in keys(var.error_table.gatewayResponses) : contains(["DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY", "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE", "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "WAF_FILTERED"], type)])
    error_message = "Gateway responses are keyed by an API Gateway response type (THROTTLED, DEFAULT_4XX, ...)."
  }

  # Gateway response templates are not VTL but do substitute $variables.
  validation {
    condition     = !anytrue([for text in concat([for e in values(var.error_table.errors) : e.message], [for r in values(var.error_table.gatewayResponses) : coalesce(r.message, "-")]) : strcontains(text, "$")])
    error_message = "No message may contain \"$\": API Gateway would read it as a variable."
  }
}

variable "max_image_bytes" {
  description = "Largest decoded image the compare function accepts (FACEAUTH_MAX_IMAGE_BYTES): the gateway's model refuses an image whose base64 (with line breaks and a data URL prefix) is longer."
  type        = number
  default     = 4194304

  validation {
    condition     = var.max_image_bytes >= 1024 && floor(var.max_image_bytes) == var.max_image_bytes
    error_message = "The image limit is a whole number of bytes, at least 1024."
  }
}

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the API (scheme://host[:port], e.g. \"https://app.example.com\"); none by default, and then no OPTIONS methods exist. The compare function must get the same list (FACEAUTH_CORS_ALLOWED_ORIGINS): the stack passes both from one variable."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : can(regex("^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "Each origin is scheme://host[:port] in lowercase, without a path, a trailing slash or a wildcard."
  }

  validation {
    condition     = length(distinct(var.cors_allowed_origins)) == length(var.cors_allowed_origins)
    error_message = "List each origin once."
  }
}

variable "cors_max_age_seconds" {
  description = "How long a browser may cache a preflight answer (Access-Control-Max-Age), in seconds."
  type        = number
  default     = 600

  validation {
    condition     = var.cors_max_age_seconds >= 0 && var.cors_max_age_seconds <= 7200
    error_message = "The max age is 0 to 7200 seconds (browsers cap it at 2 hours at most)."
  }
}

variable "stage_aliases" {
  description = "One stage per API version, mapped to the compare alias it invokes (stage v1 -> alias v1)."
  type        = map(string)
  default     = { v1 = "v1" }

  validation {
    condition     = length(var.stage_aliases) > 0 && alltrue([for stage in keys(var.stage_aliases) : can(regex("^v[0-9]+$", stage))])
    error_message = "Give at least one stage, named v1, v2, ..."
  }
}

variable "api_key_clients" {
  description = "Clients that get an API key on the usage plan (one key each), for example the mobile app."
  type        = set(string)
  default     = ["mobile-app"]

  validation {
    condition     = alltrue([for client in var.api_key_clients : can(regex("^[a-z][a-z0-9-]{0,40}$", client))])
    error_message = "Client names are lowercase letters, digits or hyphens."
  }
}

variable "usage_plan" {
  description = "Throttling (requests per second and burst) and quota applied to each API key."
  type = object({
    rate_limit   = optional(number, 20)
    burst_limit  = optional(number, 40)
    quota_limit  = optional(number, 50000)
    quota_period = optional(string, "DAY")
  })
  default = {}

  validation {
    condition     = contains(["DAY", "WEEK", "MONTH"], var.usage_plan.quota_period)
    error_message = "The quota period must be DAY, WEEK or MONTH."
  }

  validation {
    condition     = var.usage_plan.rate_limit > 0 && var.usage_plan.burst_limit >= var.usage_plan.rate_limit && var.usage_plan.quota_limit > 0
    error_message = "Rate and quota must be positive, and the burst at least the rate."
  }
}

variable "stage_throttle" {
  description = "Throttling of each stage as a whole, across all API keys."
  type = object({
    rate_limit  = optional(number, 50)
    burst_limit = optional(number, 100)
  })
  default = {}

  validation {
    condition     = var.stage_throttle.rate_limit > 0 && var.stage_throttle.burst_limit >= var.stage_throttle.rate_limit
    error_message = "The rate must be positive and the burst at least the rate."
  }
}

variable "web_acl_arn" {
  description = "ARN of a regional WAFv2 web ACL to associate with every stage; null associates none."
  type        = string
  default     = null

  validation {
    condition     = var.web_acl_arn == null || can(regex("^arn:[^:]+:wafv2:[^:]+:[0-9]{12}:regional/webacl/", var.web_acl_arn))
    error_message = "The web ACL must be a regional WAFv2 web ACL ARN."
  }
}

variable "manage_account_logging_role" {
  description = "Create the account-wide role API Gateway uses to write logs (aws_api_gateway_account); false if another stack in the account and region owns it (then give account_logging_role_arn)."
  type        = bool
  default     = true
}

variable "account_logging_role_arn" {
  description = "With manage_account_logging_role = false: the CloudWatch Logs role that the account's API Gateway settings already use (looked up at plan, so a missing role fails the plan)."
  type        = string
  default     = null

  validation {
    condition     = var.account_logging_role_arn == null || can(regex("^arn:[^:]+:iam::[0-9]{12}:role/", var.account_logging_role_arn))
    error_message = "The account logging role must be an IAM role ARN."
  }
}

variable "execution_logging_level" {
  description = "Execution logging of every stage: ERROR, INFO or OFF. Anything but OFF needs the account-level CloudWatch Logs role."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.execution_logging_level)
    error_message = "The execution logging level must be OFF, ERROR or INFO."
  }
}

variable "log_retention_days" {
  description = "Retention of the access and execution log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the log groups (its policy must allow CloudWatch Logs)."
  type        = string
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
