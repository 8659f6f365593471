variable "name" {
  description = "Prefix of every function, role, layer and queue name, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "artifacts" {
  description = "Zips built by `make build` and their base64 SHA-256 (filebase64sha256), computed by the caller so this module never reads files; a null hash fails the plan."
  type = object({
    compare      = object({ filename = string, source_code_hash = string })
    purge        = object({ filename = string, source_code_hash = string })
    migrate      = object({ filename = string, source_code_hash = string })
    common_layer = object({ filename = string, source_code_hash = string })
    deps_layer   = object({ filename = string, source_code_hash = string })
  })

  validation {
    condition     = alltrue([for artifact in values(var.artifacts) : endswith(artifact.filename, ".zip")])
    error_message = "Every artifact must be a .zip file."
  }
}

variable "vpc" {
  description = "Private subnets and security groups the functions run in."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })

  validation {
    condition     = length(var.vpc.subnet_ids) >= 2 && length(var.vpc.security_group_ids) >= 1
    error_message = "Give at least two subnets and one security group."
  }
}

variable "images_bucket" {
  description = "The images bucket, its key, and the prefixes of captured and reference images."
  type = object({
    name              = string
    arn               = string
    kms_key_arn       = string
    captures_prefix   = optional(string, "captures/")
    references_prefix = optional(string, "references/")
  })

  validation {
    condition     = endswith(var.images_bucket.captures_prefix, "/") && endswith(var.images_bucket.references_prefix, "/")
    error_message = "Prefixes must end with \"/\"."
  }
}

variable "database" {
  description = "Where the functions connect: host (instance or proxy), port, schema, and the credentials secret with its key."
  type = object({
    host               = string
    port               = optional(number, 3306)
    name               = string
    secret_arn         = string
    secret_kms_key_arn = string
    # Empty: TLS without verifying the server until the common layer ships the RDS CA bundle.
    tls_ca_path = optional(string, "")
  })
}

variable "settings" {
  description = "Values of faceauth settings, by environment variable (FACEAUTH_*): each function that reads one (settings.json) gets this value; the others keep faceauth's default."
  type        = map(string)
  default     = {}
}

variable "compare" {
  description = "Sizing of the compare function."
  type = object({
    memory_size          = optional(number, 512)
    timeout              = optional(number, 15)
    reserved_concurrency = optional(number, 20)
    # SnapStart restores an initialised container (imports, settings) on a cold start.
    snap_start = optional(bool, true)
  })
  default = {}

  validation {
    condition     = var.compare.timeout >= 3 && var.compare.timeout <= 29
    error_message = "compare must finish within API Gateway's 29 s integration timeout."
  }

  validation {
    condition     = var.compare.memory_size >= 128 && var.compare.memory_size <= 10240
    error_message = "Memory must be between 128 and 10240 MB."
  }

  validation {
    condition     = var.compare.reserved_concurrency >= 1
    error_message = "Reserve at least one concurrent execution for compare."
  }
}

variable "purge_timeout" {
  description = "Seconds the purge may run; it stops early and reports rows left when time runs short."
  type        = number
  default     = 900

  validation {
    condition     = var.purge_timeout >= 60 && var.purge_timeout <= 900
    error_message = "The purge timeout must be between 60 and 900 seconds."
  }
}

variable "api_versions" {
  description = "API versions served by compare: one alias each; function_version pins an old version, null follows the latest published."
  type = map(object({
    function_version = optional(string)
  }))
  default = { v1 = {} }

  validation {
    condition     = alltrue([for version in keys(var.api_versions) : can(regex("^v[0-9]+$", version))])
    error_message = "API versions are named v1, v2, ..."
  }
}

variable "log_level" {
  description = "Log level of the functions (POWERTOOLS_LOG_LEVEL and the Lambda application log level)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "The log level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups, in days."
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
