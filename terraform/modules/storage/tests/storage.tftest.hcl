mock_provider "aws" {
  # The mock keeps real provider validation, so computed values that flow into validated
  # arguments (ARNs, policy JSON) need realistic defaults.
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_region" {
    defaults = {
      region = "eu-west-1"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
      key_id = "00000000-0000-0000-0000-000000000000"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::faceauth-test-images"
    }
  }
}

variables {
  name                = "faceauth-test"
  pass_retention_days = 3
  fail_retention_days = 28
}

run "captures_expire_after_the_fail_retention_plus_the_margin" {
  command = plan

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.expiration).days if rule.id == "expire-captures"]) == 30
    error_message = "Captures expire after 28 + 2 days."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.filter).prefix if rule.id == "expire-captures"]) == "captures/"
    error_message = "The captures rule covers captures/."
  }

  assert {
    condition     = alltrue([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : !startswith(coalesce(one(rule.filter).prefix, "-"), "references")])
    error_message = "References are never expired by lifecycle."
  }
}

# Liveness images follow their run's retention like captures: the purge deletes them by the
# recorded outcome, and this rule, the captures' expiry, is its backstop.
run "liveness_images_expire_as_captures_do" {
  command = plan

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.filter).prefix if rule.id == "expire-liveness-images"]) == "liveness/" && one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.status if rule.id == "expire-liveness-images"]) == "Enabled"
    error_message = "A rule on liveness/ exists and is enabled."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.expiration).days if rule.id == "expire-liveness-images"]) == 30
    error_message = "Current versions expire after the longest retention (FAIL, 28) + the margin (2)."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.noncurrent_version_expiration).noncurrent_days if rule.id == "expire-liveness-images"]) == 1
    error_message = "The version an expiry leaves noncurrent goes a day later."
  }
}

run "liveness_expiry_follows_the_retention_variables_and_the_margin" {
  command = plan

  variables {
    fail_retention_days   = 10
    pass_retention_days   = 12
    lifecycle_margin_days = 1
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.expiration).days if rule.id == "expire-liveness-images"]) == 13 && output.capture_expiration_days == 13
    error_message = "The liveness backstop is the captures': the longest retention (here PASS's) plus the margin."
  }
}

run "lifecycle_follows_the_retention_variables" {
  command = plan

  variables {
    fail_retention_days   = 10
    pass_retention_days   = 1
    lifecycle_margin_days = 5
  }

  assert {
    condition     = output.capture_expiration_days == 15
    error_message = "The backstop is the longest retention plus the margin."
  }
}

run "old_versions_markers_and_uploads_are_cleaned_within_a_day" {
  command = plan

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.noncurrent_version_expiration).noncurrent_days if rule.id == "remove-noncurrent-versions-and-uploads"]) == 1
    error_message = "Noncurrent versions go after a day."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : one(rule.abort_incomplete_multipart_upload).days_after_initiation if rule.id == "remove-noncurrent-versions-and-uploads"]) == 1
    error_message = "Incomplete uploads are aborted after a day."
  }
}

run "bucket_is_private_encrypted_and_owner_enforced" {
  command = plan

  assert {
    condition     = aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy && aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    error_message = "All four public access blocks are on."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Objects are encrypted with the customer key."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled."
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.bucket.statement : s.effect == "Deny" && anytrue([for c in s.condition : c.variable == "aws:SecureTransport"])])
    error_message = "The bucket policy denies plain HTTP."
  }
}

run "rejects_a_margin_of_zero" {
  command = plan

  variables {
    lifecycle_margin_days = 0
  }

  expect_failures = [var.lifecycle_margin_days]
}
