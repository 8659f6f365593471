output "api_invoke_urls" {
  description = "Invoke URL of each API stage, by version."
  value       = module.api.invoke_urls
}

output "api_key_ids" {
  description = "API key id of each client (fetch the value with `aws apigateway get-api-key --api-key <id> --include-value`)."
  value       = module.api.api_key_ids
}

output "images_bucket_name" {
  description = "Name of the images bucket."
  value       = module.storage.bucket_name
}

output "function_names" {
  description = "Lambda function names by key (compare, purge, migrate)."
  value       = module.functions.function_names
}

output "migrate_function_name" {
  description = "Function the pipeline invokes after apply, before it moves traffic, to run the Alembic migrations."
  value       = module.functions.migrate_function_name
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the environment."
  value       = module.monitoring.dashboard_url
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.monitoring.alarm_topic_arn
}

output "database_endpoint" {
  description = "Host the functions connect to (RDS Proxy when enabled)."
  value       = module.database.endpoint_address
}

output "release_aliases" {
  description = "Aliases the pipeline moves to the new versions once the migrations ran (function, alias, version)."
  value       = module.functions.release_aliases
}
