data "aws_region" "current" {}

################################################################################
# The app's credentials for the Face Liveness component: a Cognito identity pool with guest
# (unauthenticated) identities, whose role may only stream a session's video
# (StartFaceLivenessSession). Sessions are created and their results read by the compare
# function with its own role, never by the app.
################################################################################

resource "aws_cognito_identity_pool" "this" {
  #checkov:skip=CKV_AWS_366:Guest access is the point: the app's Face Liveness component streams before any AWS sign-in, and the guest role may only call StartFaceLivenessSession on sessions the compare function created.
  identity_pool_name               = "${var.name}-liveness"
  allow_unauthenticated_identities = true
  # Enhanced flow only: Cognito adds its scope-down session policy to guest credentials.
  allow_classic_flow = false

  tags = var.tags
}

# Only identities of this pool, and only guests, may take the role.
data "aws_iam_policy_document" "guest_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.this.id]
    }

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["unauthenticated"]
    }
  }
}

resource "aws_iam_role" "guest" {
  name               = "${var.name}-liveness-guest"
  description        = "Guests of the ${var.name} liveness identity pool: stream Face Liveness video only"
  assume_role_policy = data.aws_iam_policy_document.guest_assume.json

  tags = var.tags
}

# StartFaceLivenessSession has no resource-level permissions (Service Authorization
# Reference: no resource types), hence "*"; it streams only into a session the compare
# function created.
data "aws_iam_policy_document" "guest" {
  statement {
    sid       = "StreamFaceLivenessVideo"
    actions   = ["rekognition:StartFaceLivenessSession"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "guest" {
  name   = "stream-face-liveness-video"
  role   = aws_iam_role.guest.id
  policy = data.aws_iam_policy_document.guest.json
}

resource "aws_cognito_identity_pool_roles_attachment" "this" {
  identity_pool_id = aws_cognito_identity_pool.this.id

  roles = {
    unauthenticated = aws_iam_role.guest.arn
  }
}
