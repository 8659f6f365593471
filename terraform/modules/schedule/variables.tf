variable "name" {
  description = "Prefix of the schedule group, schedule, role and queue, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_arn" {
  description = "ARN the schedule invokes: the purge's live alias (the pipeline moves it after migrating)."
  type        = string
}

variable "schedule_expression" {
  description = "When the purge runs (cron or rate expression). The \"purge not run\" alarm assumes at least daily."
  type        = string
  default     = "cron(15 3 * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.schedule_expression))
    error_message = "Use a cron(...) or rate(...) expression."
  }
}

variable "schedule_timezone" {
  description = "Time zone the cron expression is read in."
  type        = string
  default     = "UTC"
}

variable "enabled" {
  description = "Run the schedule; false pauses the purge (its alarm will fire after 26 hours)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every resource of the module (schedules themselves cannot be tagged; their group is)."
  type        = map(string)
  default     = {}
}
