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
