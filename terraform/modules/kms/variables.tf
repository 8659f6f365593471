variable "name" {
  description = "Alias of the key, without the \"alias/\" prefix (for example \"faceauth-dev-observability\")."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "The name may hold letters, digits, \"/\", \"_\" and \"-\", and must not start with \"aws/\"."
  }
}

variable "description" {
  description = "What the key protects, shown in the KMS console."
  type        = string
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs in this account and region use the key to encrypt log groups."
  type        = bool
  default     = false
}

variable "allow_cloudwatch_alarms" {
  description = "Let CloudWatch alarms publish to SNS topics encrypted with the key."
  type        = bool
  default     = false
}

variable "rotation_period_in_days" {
  description = "Days between automatic rotations of the key material."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "The rotation period must be between 90 and 2560 days."
  }
}

variable "deletion_window_in_days" {
  description = "Days a scheduled deletion waits before the key is destroyed."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "The deletion window must be between 7 and 30 days."
  }
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
