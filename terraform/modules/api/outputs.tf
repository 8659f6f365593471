output "rest_api_id" {
  description = "Id of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_name" {
  description = "Name of the REST API (the ApiName metric dimension)."
  value       = aws_api_gateway_rest_api.this.name
}

output "execution_arn" {
  description = "Execution ARN of the REST API."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_names" {
  description = "Stage names (one per API version)."
  value       = [for stage in aws_api_gateway_stage.this : stage.stage_name]
}

output "invoke_urls" {
  description = "Invoke URL of each stage, by API version."
  value       = { for version, stage in aws_api_gateway_stage.this : version => stage.invoke_url }
}

output "api_key_ids" {
  description = "Id of each client's API key (read the value with `aws apigateway get-api-key --include-value`)."
  value       = { for client, key in aws_api_gateway_api_key.this : client => key.id }
}

output "usage_plan_id" {
  description = "Id of the usage plan."
  value       = aws_api_gateway_usage_plan.this.id
}

output "access_log_group_names" {
  description = "Access log group of each stage."
  value       = { for version, group in aws_cloudwatch_log_group.access : version => group.name }
}
