output "vpc_id" {
  description = "Id of the VPC the functions and the database run in."
  value       = local.vpc_id
}

output "private_subnet_ids" {
  description = "Ids of the private subnets (one per AZ) for Lambda, RDS and RDS Proxy."
  value       = local.private_subnet_ids
}

output "lambda_security_group_id" {
  description = "Id of the security group attached to every Lambda function."
  value       = aws_security_group.lambda.id
}

output "database_security_group_id" {
  description = "Id of the security group of the RDS instance and RDS Proxy."
  value       = aws_security_group.database.id
}

output "interface_endpoint_ids" {
  description = "Ids of the interface VPC endpoints, by service."
  value       = { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id }
}

output "s3_endpoint_id" {
  description = "Id of the S3 gateway VPC endpoint."
  value       = aws_vpc_endpoint.s3.id
}
