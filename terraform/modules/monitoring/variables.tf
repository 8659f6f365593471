variable "name" {
  description = "Name of the dashboard and prefix of the alarm topic, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_names" {
  description = "Every Lambda function to alarm on, by key; must include compare and purge."
  type        = map(string)

  validation {
    condition     = contains(keys(var.function_names), "compare") && contains(keys(var.function_names), "purge")
    error_message = "function_names must include the compare and purge functions."
  }
}

variable "api_name" {
  description = "Name of the REST API (ApiName dimension)."
  type        = string
}

variable "api_stages" {
  description = "Stages of the REST API to alarm on."
  type        = set(string)

  validation {
    condition     = length(var.api_stages) > 0
    error_message = "Give at least one stage."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the RDS instance (DBInstanceIdentifier dimension)."
  type        = string
}

variable "dlq_names" {
  description = "Dead-letter queues whose depth must stay at zero, by purpose."
  type        = map(string)
}

variable "thresholds" {
  description = "Alarm thresholds."
  type = object({
    compare_p99_duration_ms = optional(number, 5000)
    api_5xx_rate            = optional(number, 0.01)
    api_4xx_rate            = optional(number, 0.25)
    api_p99_latency_ms      = optional(number, 6000)
    purge_missing_hours     = optional(number, 26)
    purge_lag_seconds       = optional(number, 7200)
    rds_cpu_percent         = optional(number, 80)
    rds_free_storage_bytes  = optional(number, 2147483648)
    rds_max_connections     = optional(number, 60)
    liveness_failure_rate   = optional(number, 0.3)
    liveness_session_errors = optional(number, 0.2)
    liveness_min_sessions   = optional(number, 10)
    liveness_service_faults = optional(number, 5)
  })
  default = {}

  validation {
    condition     = var.thresholds.api_5xx_rate > 0 && var.thresholds.api_5xx_rate < 1 && var.thresholds.api_4xx_rate > 0 && var.thresholds.api_4xx_rate < 1
    error_message = "API error rates are fractions between 0 and 1."
  }

  validation {
    condition     = var.thresholds.liveness_failure_rate > 0 && var.thresholds.liveness_failure_rate < 1 && var.thresholds.liveness_session_errors > 0 && var.thresholds.liveness_session_errors < 1 && var.thresholds.liveness_min_sessions >= 1
    error_message = "Liveness rates are fractions between 0 and 1 of the sessions created, judged from at least one session."
  }

  validation {
    condition     = var.thresholds.liveness_service_faults >= 1
    error_message = "Face Liveness faults are counted: alarm on at least one in five minutes."
  }

  validation {
    condition     = var.thresholds.purge_missing_hours >= 25 && var.thresholds.purge_missing_hours <= 168
    error_message = "The purge runs daily: alarm after 25 to 168 hours without a run."
  }
}

variable "liveness_alarms" {
  description = "Alarm on Face Liveness (failure rate, session errors, service faults): true where compare creates sessions (FACEAUTH_LIVENESS is not off)."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm by email)."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "Every entry must be an email address."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the alarm topic (its policy must allow CloudWatch alarms)."
  type        = string
}

variable "tags" {
  description = "Tags applied to every resource of the module (dashboards cannot be tagged)."
  type        = map(string)
  default     = {}
}
