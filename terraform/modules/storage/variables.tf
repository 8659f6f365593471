variable "name" {
  description = "Prefix for every resource name, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Name of the images bucket; null derives \"<name>-images-<account>-<region>\"."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket name must be a valid S3 bucket name."
  }
}

variable "pass_retention_days" {
  description = "Days a capture whose verification passed is kept (FACEAUTH_PASS_RETENTION_DAYS)."
  type        = number

  validation {
    condition     = var.pass_retention_days >= 0 && floor(var.pass_retention_days) == var.pass_retention_days
    error_message = "The retention must be a whole number of days, 0 or more."
  }
}

variable "fail_retention_days" {
  description = "Days a capture whose verification failed is kept (FACEAUTH_FAIL_RETENTION_DAYS)."
  type        = number

  validation {
    condition     = var.fail_retention_days >= 0 && floor(var.fail_retention_days) == var.fail_retention_days
    error_message = "The retention must be a whole number of days, 0 or more."
  }
}

variable "lifecycle_margin_days" {
  description = "Days the lifecycle backstop waits beyond the longest retention before expiring captures and Face Liveness images."
  type        = number
  default     = 2

  validation {
    condition     = var.lifecycle_margin_days >= 1 && floor(var.lifecycle_margin_days) == var.lifecycle_margin_days
    error_message = "The margin must be a whole number of days, at least 1."
  }
}

variable "captures_prefix" {
  description = "Key prefix of captured images; lifecycle expires them after the longest retention plus the margin (references are never expired)."
  type        = string
  default     = "captures/"

  validation {
    condition     = endswith(var.captures_prefix, "/") && var.captures_prefix != "/"
    error_message = "The prefix must be a non-empty folder ending in \"/\"."
  }
}

variable "liveness_prefix" {
  description = "Key prefix under which Rekognition writes Face Liveness sessions' images (faceauth.domain.liveness.OUTPUT_KEY_PREFIX); lifecycle expires them as it does captures."
  type        = string
  default     = "liveness/"

  validation {
    condition     = endswith(var.liveness_prefix, "/") && var.liveness_prefix != "/"
    error_message = "The prefix must be a non-empty folder ending in \"/\"."
  }
}

variable "versioning_enabled" {
  description = "Keep object versions (noncurrent versions are removed after one day)."
  type        = bool
  default     = true
}

variable "access_log_bucket" {
  description = "Bucket receiving S3 server access logs; null turns access logging off."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
