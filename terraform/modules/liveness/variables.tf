variable "name" {
  description = "Prefix of the identity pool and its guest role, for example \"faceauth-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every resource of the module (the roles attachment cannot be tagged)."
  type        = map(string)
  default     = {}
}
