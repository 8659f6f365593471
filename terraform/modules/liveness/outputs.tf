output "identity_pool_id" {
  description = "Id of the identity pool the app's Face Liveness component takes guest credentials from (its region is the id's prefix)."
  value       = aws_cognito_identity_pool.this.id
}

output "region" {
  description = "Region of the identity pool and of the Face Liveness sessions the compare function creates."
  value       = data.aws_region.current.region
}

output "guest_role_arn" {
  description = "ARN of the guest role: rekognition:StartFaceLivenessSession only."
  value       = aws_iam_role.guest.arn
}
