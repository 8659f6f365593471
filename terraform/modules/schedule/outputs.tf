output "schedule_arn" {
  description = "ARN of the daily purge schedule."
  value       = aws_scheduler_schedule.purge.arn
}

output "dlq_name" {
  description = "Name of the queue receiving events the scheduler could not deliver."
  value       = aws_sqs_queue.dlq.name
}

output "dlq_arn" {
  description = "ARN of the queue receiving events the scheduler could not deliver."
  value       = aws_sqs_queue.dlq.arn
}

output "role_arn" {
  description = "ARN of the role the scheduler assumes."
  value       = aws_iam_role.this.arn
}
