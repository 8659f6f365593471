variable "name" {
  description = "Identifier of the DB instance and prefix of its companions, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "The name must be lowercase letters, digits and single hyphens, start with a letter and not end with a hyphen."
  }
}

variable "subnet_ids" {
  description = "Private subnets, in at least two availability zones, for the instance and the proxy."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS needs subnets in at least two availability zones."
  }
}

variable "security_group_id" {
  description = "Security group of the instance and the proxy (MySQL from the functions only)."
  type        = string
}

variable "engine_version" {
  description = "MySQL engine version; a major version such as \"8.0\" lets RDS pick the default minor."
  type        = string
  default     = "8.0"

  validation {
    condition     = startswith(var.engine_version, "8.0")
    error_message = "faceauth runs on MySQL 8.0 (the parameter group family is mysql8.0)."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "The instance class must start with \"db.\"."
  }
}

variable "database_name" {
  description = "Name of the application schema created with the instance."
  type        = string
  default     = "faceauth"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,63}$", var.database_name))
    error_message = "The database name must be lowercase letters, digits or underscores, starting with a letter."
  }
}

variable "master_username" {
  description = "Master user name; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "faceauth_admin"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,31}$", var.master_username)) && lower(var.master_username) != "admin"
    error_message = "The master username must be 1-32 letters, digits or underscores, start with a letter and not be \"admin\"."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20
    error_message = "gp3 storage starts at 20 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Upper bound in GiB for storage autoscaling."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage >= var.allocated_storage
    error_message = "max_allocated_storage must not be below allocated_storage."
  }
}

variable "ca_cert_identifier" {
  description = "Certificate authority of the server certificate the functions verify."
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "multi_az" {
  description = "Run a standby in a second AZ (prod)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse to delete the instance until this is turned off (prod)."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (only sensible for throwaway dev stacks)."
  type        = bool
  default     = false
}

variable "backup_retention_period" {
  description = "Days of automated backups and point-in-time recovery."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "Backups must be kept between 1 and 35 days."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi)."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "The backup window must look like 02:00-03:00."
  }
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi), outside the backup window."
  type        = string
  default     = "sun:03:30-sun:04:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.maintenance_window))
    error_message = "The maintenance window must look like sun:03:30-sun:04:30."
  }
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "performance_insights_enabled" {
  description = "Turn on Performance Insights (7 days, encrypted with the database key)."
  type        = bool
  default     = false
}

variable "monitoring_interval" {
  description = "Seconds between enhanced monitoring samples; 0 turns enhanced monitoring off."
  type        = number
  default     = 0

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "The monitoring interval must be one of 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "enable_proxy" {
  description = "Put RDS Proxy in front of the instance; the functions then connect to the proxy."
  type        = bool
  default     = false
}

variable "proxy_max_connections_percent" {
  description = "Share of the instance's max_connections the proxy may open."
  type        = number
  default     = 90

  validation {
    condition     = var.proxy_max_connections_percent >= 1 && var.proxy_max_connections_percent <= 100
    error_message = "The percentage must be between 1 and 100."
  }
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
