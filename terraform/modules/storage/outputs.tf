output "bucket_name" {
  description = "Name of the images bucket (FACEAUTH_IMAGES_BUCKET)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the images bucket."
  value       = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the images (readers and writers need it)."
  value       = module.kms.key_arn
}

output "capture_expiration_days" {
  description = "Days after which lifecycle expires a capture that the purge missed."
  value       = local.capture_expiration_days
}
