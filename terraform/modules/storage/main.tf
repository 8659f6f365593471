data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # Account and region make the name globally unique without hard-coding either.
  bucket_name = coalesce(var.bucket_name, "${var.name}-images-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.region}")

  # The backstop outlives the longest retention the purge applies, by a margin, so the purge
  # stays the one that deletes on time and lifecycle only catches what it missed.
  capture_expiration_days = max(var.pass_retention_days, var.fail_retention_days) + var.lifecycle_margin_days

  # Actions denied over plain HTTP or old TLS. Spelled out because no policy here uses a wildcard action.
  bucket_actions = [
    "s3:AbortMultipartUpload",
    "s3:DeleteBucketPolicy",
    "s3:DeleteObject",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectVersionTagging",
    "s3:GetBucketPolicy",
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionTagging",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListBucketVersions",
    "s3:ListMultipartUploadParts",
    "s3:PutBucketPolicy",
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:RestoreObject",
  ]
}

module "kms" {
  source = "../kms"

  name        = "${var.name}-images"
  description = "faceauth ${var.name}: captured and reference face images in S3"

  tags = var.tags
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Face images must stay in the region they were captured in; no cross-region copies.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to object events; the purge runs on a schedule.
  #checkov:skip=CKV_AWS_18:Access logging is optional (var.access_log_bucket) because it needs a separate log bucket owned by the account's logging setup.
  bucket        = local.bucket_name
  force_destroy = false

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.kms.key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "this" {
  count = var.access_log_bucket != null ? 1 : 0

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = "s3/${local.bucket_name}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-captures"
    status = "Enabled"

    filter {
      prefix = var.captures_prefix
    }

    expiration {
      days = local.capture_expiration_days
    }
  }

  # The backstop of the purge for Face Liveness images (reference frame, audit images). They
  # follow their run's retention like captures (PASS or FAIL, by the recorded outcome; an
  # unused session's go once it is over), so they share the captures' expiry, margin included:
  # lifecycle sees only an object's age, and the margin keeps the purge, which runs daily and
  # deletes on time, the one that decides. In this versioned bucket expiring a current version
  # leaves it noncurrent: gone a day later.
  rule {
    id     = "expire-liveness-images"
    status = "Enabled"

    filter {
      prefix = var.liveness_prefix
    }

    expiration {
      days = local.capture_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # Deleted or replaced images must not linger as old versions or orphaned markers.
  rule {
    id     = "remove-noncurrent-versions-and-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = local.bucket_actions
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOutdatedTls"
    effect    = "Deny"
    actions   = local.bucket_actions
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
