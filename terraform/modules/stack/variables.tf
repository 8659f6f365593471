variable "environment" {
  description = "Environment name, part of every resource name (dev or prod)."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "The environment must be dev or prod."
  }
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "build_dir" {
  description = "Directory `make build` writes the function and layer zips to (build/ at the repository root)."
  type        = string
}

################################################################################
# Network and database
################################################################################

variable "existing_vpc" {
  description = "Deploy into this VPC instead of creating one: its id, private subnets (2+ AZs) and their route tables."
  type = object({
    vpc_id             = string
    private_subnet_ids = list(string)
    route_table_ids    = list(string)
  })
  default = null
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC created when existing_vpc is null."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones of the created VPC."
  type        = number
  default     = 2
}

variable "database" {
  description = "Size and protection of the RDS MySQL instance."
  type = object({
    instance_class               = optional(string, "db.t4g.micro")
    allocated_storage            = optional(number, 20)
    max_allocated_storage        = optional(number, 100)
    multi_az                     = optional(bool, false)
    deletion_protection          = optional(bool, true)
    skip_final_snapshot          = optional(bool, false)
    backup_retention_period      = optional(number, 7)
    performance_insights_enabled = optional(bool, false)
    monitoring_interval          = optional(number, 0)
    enable_proxy                 = optional(bool, false)
  })
  default = {}
}

################################################################################
# faceauth settings: each function that reads one gets the same value. The defaults live in
# faceauth.settings (read through modules/functions/settings.json): null here means that one.
################################################################################

variable "pass_threshold" {
  description = "Similarity (0-100) at or above which a verification passes (FACEAUTH_PASS_THRESHOLD); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.pass_threshold == null || (var.pass_threshold >= 0 && var.pass_threshold <= 100)
    error_message = "The threshold must be between 0 and 100."
  }
}

variable "pass_retention_days" {
  description = "Days a capture that passed verification is kept before the purge deletes it (FACEAUTH_PASS_RETENTION_DAYS; also the bucket's lifecycle); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.pass_retention_days == null || (var.pass_retention_days >= 0 && floor(var.pass_retention_days) == var.pass_retention_days)
    error_message = "The retention must be a whole number of days, 0 or more."
  }
}

variable "fail_retention_days" {
  description = "Days a capture that failed verification is kept before the purge deletes it (FACEAUTH_FAIL_RETENTION_DAYS; also the bucket's lifecycle); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.fail_retention_days == null || (var.fail_retention_days >= 0 && floor(var.fail_retention_days) == var.fail_retention_days)
    error_message = "The retention must be a whole number of days, 0 or more."
  }
}

variable "lifecycle_margin_days" {
  description = "Days S3 lifecycle waits beyond the longest retention before expiring captures and Face Liveness images the purge missed."
  type        = number
  default     = 2
}

variable "lockout_max_failures" {
  description = "Consecutive failed verifications that lock a user out (FACEAUTH_LOCKOUT_MAX_FAILURES); null: faceauth's default."
  type        = number
  default     = null
}

variable "lockout_minutes" {
  description = "Minutes a locked-out user waits (FACEAUTH_LOCKOUT_MINUTES); null: faceauth's default."
  type        = number
  default     = null
}

variable "max_image_bytes" {
  description = "Largest decoded image accepted, in bytes (FACEAUTH_MAX_IMAGE_BYTES); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.max_image_bytes == null || (var.max_image_bytes >= 1024 && var.max_image_bytes <= 4194304)
    error_message = "Images must be allowed at least 1 KiB and at most 4 MiB (base64 must fit the 6 MB Lambda payload)."
  }
}

variable "liveness" {
  description = "Face Liveness policy (FACEAUTH_LIVENESS): off, optional (an image or a liveness session) or required (a liveness session only); null: faceauth's default. Unless off, the stack creates the identity pool the app streams with, and the liveness alarms."
  type        = string
  default     = null

  validation {
    condition     = var.liveness == null || contains(["off", "optional", "required"], var.liveness)
    error_message = "liveness must be off, optional or required."
  }
}

variable "liveness_min_confidence" {
  description = "Confidence (0-100) a Face Liveness session needs to count as a live person (FACEAUTH_LIVENESS_MIN_CONFIDENCE); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.liveness_min_confidence == null || (var.liveness_min_confidence >= 0 && var.liveness_min_confidence <= 100)
    error_message = "The confidence must be between 0 and 100."
  }
}

variable "liveness_audit_images" {
  description = "Audit images Rekognition keeps per Face Liveness session, 0-4 (FACEAUTH_LIVENESS_AUDIT_IMAGES); null: faceauth's default."
  type        = number
  default     = null

  validation {
    condition     = var.liveness_audit_images == null || (var.liveness_audit_images >= 0 && var.liveness_audit_images <= 4 && floor(var.liveness_audit_images) == var.liveness_audit_images)
    error_message = "Audit images must be a whole number from 0 to 4."
  }
}

variable "settings" {
  description = "Any other faceauth setting, by environment variable (for example FACEAUTH_REKOGNITION_MIN_CONFIDENCE = \"95\"); unset ones take faceauth's default."
  type        = map(string)
  default     = {}

  validation {
    condition     = !contains(keys(var.settings), "FACEAUTH_CORS_ALLOWED_ORIGINS")
    error_message = "Set cors_allowed_origins instead of FACEAUTH_CORS_ALLOWED_ORIGINS: it feeds API Gateway's CORS and the function's from one list."
  }
}

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the API (scheme://host[:port]); none by default. One list for API Gateway's preflights and gateway responses and the compare function's FACEAUTH_CORS_ALLOWED_ORIGINS."
  type        = list(string)
  default     = []
}

################################################################################
# Functions and API
################################################################################

variable "compare" {
  description = "Sizing of the compare function."
  type = object({
    memory_size          = optional(number, 512)
    timeout              = optional(number, 20) # seconds: 17 to 29 with faceauth's defaults (modules/functions)
    reserved_concurrency = optional(number, 20)
  })
  default = {}
}

variable "api_versions" {
  description = "API versions served: one API stage and one compare alias each."
  type        = list(string)
  default     = ["v1"]
}

variable "log_level" {
  description = "Log level of the functions."
  type        = string
  default     = "INFO"
}

variable "log_retention_days" {
  description = "Retention of the functions' and API's log groups, in days."
  type        = number
  default     = 30
}

variable "api_key_clients" {
  description = "Clients that get an API key."
  type        = set(string)
  default     = ["mobile-app"]
}

variable "usage_plan" {
  description = "Per-key throttling and quota."
  type = object({
    rate_limit   = optional(number, 20)
    burst_limit  = optional(number, 40)
    quota_limit  = optional(number, 50000)
    quota_period = optional(string, "DAY")
  })
  default = {}
}

variable "stage_throttle" {
  description = "Throttling of each stage across all keys."
  type = object({
    rate_limit  = optional(number, 50)
    burst_limit = optional(number, 100)
  })
  default = {}
}

variable "web_acl_arn" {
  description = "Regional WAFv2 web ACL to associate with the API stages; null for none."
  type        = string
  default     = null
}

variable "manage_api_gateway_account" {
  description = "Own the account-wide API Gateway logging role in this region (false if another stack does: then give api_account_logging_role_arn)."
  type        = bool
  default     = true
}

variable "api_account_logging_role_arn" {
  description = "With manage_api_gateway_account = false: the CloudWatch Logs role the account's API Gateway settings already use; without it the plan fails (execution logging needs the role)."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket for S3 server access logs of the images bucket; null turns them off."
  type        = string
  default     = null
}

################################################################################
# Schedule and monitoring
################################################################################

variable "purge_schedule_expression" {
  description = "When the daily purge runs (UTC)."
  type        = string
  default     = "cron(15 3 * * ? *)"
}

variable "alarm_thresholds" {
  description = "Alarm thresholds; see the monitoring module for the defaults."
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
}

variable "alarm_emails" {
  description = "Addresses that receive alarm notifications."
  type        = set(string)
  default     = []
}
