data "aws_region" "current" {}

locals {
  captures_objects   = "${var.images_bucket.arn}/${var.images_bucket.captures_prefix}*"
  references_objects = "${var.images_bucket.arn}/${var.images_bucket.references_prefix}*"
  # Face Liveness sessions' images: Rekognition writes them under liveness/<session id>/.
  liveness_objects = "${var.images_bucket.arn}/${var.images_bucket.liveness_prefix}*"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.functions

  name               = "${local.function_names[each.key]}-lambda"
  description        = "Execution role of ${local.function_names[each.key]}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

################################################################################
# What every function needs: its own log group, X-Ray, VPC ENIs, the DB secret
################################################################################

data "aws_iam_policy_document" "runtime" {
  #checkov:skip=CKV_AWS_356:Lambda creates and deletes the function's VPC network interfaces with this role and requires Resource "*" for those EC2 actions.
  #checkov:skip=CKV_AWS_111:Lambda creates and deletes the function's VPC network interfaces with this role and requires Resource "*" for those EC2 actions.
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  statement {
    sid = "ManageVpcNetworkInterfaces"
    actions = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ReadDatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database.secret_arn]
  }

  statement {
    sid       = "DecryptDatabaseSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.database.secret_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "runtime" {
  for_each = local.functions

  name   = "runtime"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.runtime[each.key].json
}

################################################################################
# What the S3 image store needs in both functions: list a key's (or a liveness session's)
# versions, read whether the bucket keeps versions, and use the bucket's KMS key
################################################################################

data "aws_iam_policy_document" "image_store" {
  statement {
    sid       = "ListImageVersions"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [var.images_bucket.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.images_bucket.captures_prefix}*", "${var.images_bucket.references_prefix}*", "${var.images_bucket.liveness_prefix}*"]
    }
  }

  statement {
    sid       = "ReadBucketVersioning"
    actions   = ["s3:GetBucketVersioning"]
    resources = [var.images_bucket.arn]
  }

  statement {
    sid       = "UseImagesKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.images_bucket.kms_key_arn]
  }
}

################################################################################
# compare: the image prefixes, the images key, Rekognition's face and liveness calls
################################################################################

data "aws_iam_policy_document" "compare" {
  source_policy_documents = [data.aws_iam_policy_document.image_store.json]

  statement {
    sid = "ReadWriteImages"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:GetObject",
      "s3:PutObject",
    ]
    resources = [local.captures_objects, local.references_objects]
  }

  # CompareFaces and DetectFaces have no resource-level permissions.
  statement {
    sid       = "CompareAndDetectFaces"
    actions   = ["rekognition:CompareFaces", "rekognition:DetectFaces"]
    resources = ["*"]
  }

  # Face Liveness: create a session, read its result. Neither action has resource-level
  # permissions (Service Authorization Reference: no resource types), hence "*". The app
  # streams with StartFaceLivenessSession under the identity pool's guest role, never this one.
  statement {
    sid       = "CreateAndReadLivenessSessions"
    actions   = ["rekognition:CreateFaceLivenessSession", "rekognition:GetFaceLivenessSessionResults"]
    resources = ["*"]
  }

  # Rekognition writes a session's reference frame and audit images with the caller's
  # permissions (CreateFaceLivenessSession's OutputConfig needs s3:PutObject); the images
  # key (UseImagesKey) encrypts them.
  statement {
    sid       = "WriteLivenessOutput"
    actions   = ["s3:PutObject"]
    resources = [local.liveness_objects]
  }

  # The frame is compared (CompareFaces reads it as the caller) and copied to references/
  # (CopyObject of the version the session result names); a session's images are erased
  # with the user (every version, found by listing under the session's prefix).
  statement {
    sid = "ReadAndEraseLivenessImages"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:GetObject",
      "s3:GetObjectVersion",
    ]
    resources = [local.liveness_objects]
  }
}

resource "aws_iam_role_policy" "compare" {
  name   = "images-and-faces"
  role   = aws_iam_role.this["compare"].id
  policy = data.aws_iam_policy_document.compare.json
}

################################################################################
# purge: delete every version of due captures, superseded references and due liveness
# sessions' images; never read
################################################################################

data "aws_iam_policy_document" "purge" {
  source_policy_documents = [data.aws_iam_policy_document.image_store.json]

  # References are deleted only once replaced by a newer one (the purge skips current ones);
  # liveness sessions' images once their run's retention ended (or the session, unused).
  statement {
    sid       = "DeleteImageVersions"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = [local.captures_objects, local.references_objects, local.liveness_objects]
  }

  statement {
    sid       = "SendToFailureQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.purge_failures.arn]
  }
}

resource "aws_iam_role_policy" "purge" {
  name   = "delete-due-images"
  role   = aws_iam_role.this["purge"].id
  policy = data.aws_iam_policy_document.purge.json
}
