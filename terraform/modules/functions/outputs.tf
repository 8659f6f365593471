output "function_names" {
  description = "Function names by key (compare, purge, migrate)."
  value       = { for key, function in aws_lambda_function.this : key => function.function_name }
}

output "function_arns" {
  description = "Unqualified function ARNs by key."
  value       = { for key, function in aws_lambda_function.this : key => function.arn }
}

output "log_group_names" {
  description = "Log group names by function key, for Logs Insights."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}

output "role_arns" {
  description = "Execution role ARNs by function key."
  value       = { for key, role in aws_iam_role.this : key => role.arn }
}

output "compare_function_name" {
  description = "Name of the compare function."
  value       = aws_lambda_function.this["compare"].function_name
}

output "compare_function_arn" {
  description = "Unqualified ARN of compare; the API appends the stage's alias."
  value       = aws_lambda_function.this["compare"].arn
}

output "compare_alias_names" {
  description = "Aliases of compare, by API version."
  value       = { for version, alias in aws_lambda_alias.compare : version => alias.name }
}

output "purge_alias_arn" {
  description = "ARN of the purge's live alias (the schedule's target)."
  value       = aws_lambda_alias.purge.arn
}

output "purge_failure_queue_name" {
  description = "Name of the queue receiving failed purge invocations."
  value       = aws_sqs_queue.purge_failures.name
}

output "purge_failure_queue_arn" {
  description = "ARN of the queue receiving failed purge invocations."
  value       = aws_sqs_queue.purge_failures.arn
}

output "migrate_function_name" {
  description = "Name of the migrate function the pipeline invokes after apply."
  value       = aws_lambda_function.this["migrate"].function_name
}

output "setting_values" {
  description = "Value of every faceauth setting the functions read, by environment variable (the bucket's lifecycle reads the retention days from here)."
  value       = { for name, _ in local.settings : name => lookup(local.setting_values, name, null) }
}

output "release_aliases" {
  description = "Where the pipeline points each alias once the migrations ran: function, alias and version (the versions this apply published, or a pinned one)."
  value = concat(
    [for version, alias in aws_lambda_alias.compare : { function = alias.function_name, alias = alias.name, version = coalesce(var.api_versions[version].function_version, aws_lambda_function.this["compare"].version) }],
    [{ function = aws_lambda_alias.purge.function_name, alias = aws_lambda_alias.purge.name, version = aws_lambda_function.this["purge"].version }],
  )
}
