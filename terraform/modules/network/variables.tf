variable "name" {
  description = "Prefix for every resource name, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "create_vpc" {
  description = "Create a VPC with private subnets; false uses existing_vpc instead."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC created when create_vpc is true."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "The VPC CIDR must be a valid IPv4 CIDR block."
  }
}

variable "az_count" {
  description = "Number of availability zones (one private subnet each) when create_vpc is true."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "Use between 2 and 4 availability zones: RDS and Lambda need at least two."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each private subnet (4 on a /16 gives /20 subnets)."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 2 && var.subnet_newbits <= 12
    error_message = "The subnet newbits must be between 2 and 12."
  }
}

variable "existing_vpc" {
  description = "An existing VPC to deploy into when create_vpc is false: its id, at least two private subnets in different AZs and their route tables (for the S3 gateway endpoint)."
  type = object({
    vpc_id             = string
    private_subnet_ids = list(string)
    route_table_ids    = list(string)
  })
  default = null

  validation {
    condition     = var.existing_vpc == null ? var.create_vpc : length(var.existing_vpc.private_subnet_ids) >= 2
    error_message = "Set existing_vpc when create_vpc is false; it needs at least two private subnets."
  }
}

variable "interface_endpoint_services" {
  description = "Services the functions call, reached through interface VPC endpoints instead of a NAT (S3 always gets a gateway endpoint)."
  type        = set(string)
  default     = ["rekognition", "secretsmanager", "xray"]

  validation {
    condition     = contains(var.interface_endpoint_services, "rekognition") && contains(var.interface_endpoint_services, "secretsmanager")
    error_message = "The compare function needs the rekognition and secretsmanager endpoints."
  }
}

variable "enable_flow_logs" {
  description = "Log rejected traffic of the created VPC to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the flow log group."
  type        = string
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}
