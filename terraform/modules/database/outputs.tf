output "instance_identifier" {
  description = "Identifier of the DB instance (the DBInstanceIdentifier metric dimension)."
  value       = aws_db_instance.this.identifier
}

output "instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "endpoint_address" {
  description = "Host the functions connect to: the proxy endpoint when enabled, else the instance."
  value       = var.enable_proxy ? aws_db_proxy.this[0].endpoint : aws_db_instance.this.address
}

output "port" {
  description = "MySQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the application schema."
  value       = aws_db_instance.this.db_name
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master credentials."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the instance and its secret (readers of the secret need kms:Decrypt on it)."
  value       = module.kms.key_arn
}

output "proxy_endpoint" {
  description = "Endpoint of RDS Proxy, or null when the proxy is off."
  value       = var.enable_proxy ? aws_db_proxy.this[0].endpoint : null
}
